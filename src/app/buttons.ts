import type { ButtonPressed } from '../messenger/port.js';
import type { ButtonAnswer, ButtonRoute } from '../runtime/buttons.js';
import type { Services, Work } from '../runtime/services.js';

/** A press matched to its feature's route: the callback data's groups and what `prepare` found. */
export interface RoutedPress {
  route: ButtonRoute;
  groups: string[];
}

/** Routes button presses to their features' use cases by the prefix of the callback data. */
export function buttonRouter(routes: readonly ButtonRoute[]) {
  return {
    find(event: ButtonPressed): RoutedPress | undefined {
      for (const route of routes) {
        if (!event.data.startsWith(route.prefix)) continue;
        const match = route.pattern.exec(event.data.slice(route.prefix.length));
        if (match) return { route, groups: match.slice(1) };
      }
      return undefined;
    },
    async handle(
      services: Services,
      work: Work,
      event: ButtonPressed,
      routed: RoutedPress | undefined,
      prepared: unknown,
    ): Promise<ButtonAnswer> {
      if (routed) return routed.route.handle(services, work, event, routed.groups, prepared);
      const t = services.texts.t(services.texts.languageFor(event.user.languageCode));
      return { text: t('gate.unknown_button') };
    },
  };
}

export type ButtonRouter = ReturnType<typeof buttonRouter>;
