import type { ButtonPressed } from '../messenger/port.js';
import type { ButtonAnswer, ButtonRoute } from '../runtime/buttons.js';
import type { Services, Work } from '../runtime/services.js';

/** Routes a button press to its feature's use case by the prefix of its callback data. */
export function buttonRouter(routes: readonly ButtonRoute[]) {
  return async (services: Services, work: Work, event: ButtonPressed): Promise<ButtonAnswer> => {
    for (const route of routes) {
      if (!event.data.startsWith(route.prefix)) continue;
      const match = route.pattern.exec(event.data.slice(route.prefix.length));
      if (match) return route.handle(services, work, event, match.slice(1));
    }
    const t = services.texts.t(services.texts.languageFor(event.user.languageCode));
    return { text: t('gate.unknown_button') };
  };
}

export type ButtonRouter = ReturnType<typeof buttonRouter>;
