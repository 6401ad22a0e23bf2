/**
 * Prometheus text exposition for the few numbers an administrator watches: counters kept in this
 * process (Prometheus sums replicas), gauges read from the database at scrape time.
 */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeLabel(labels[name] ?? '')}"`)
    .join(',');
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, help: string, type: Family['type']): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, values: new Map() };
      this.families.set(name, family);
    }
    return family;
  }

  /** Declares a counter so it shows (at zero) before anything happened. */
  declare(name: string, help: string, type: Family['type'] = 'counter'): void {
    this.family(name, help, type);
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const family = this.family(name, help, 'counter');
    const id = key(labels);
    const entry = family.values.get(id) ?? { labels, value: 0 };
    entry.value += by;
    family.values.set(id, entry);
  }

  /** Sets a value read from elsewhere: a gauge, or a counter kept by another component. */
  set(name: string, help: string, value: number, labels: Labels = {}, type: Family['type'] = 'gauge'): void {
    this.family(name, help, type).values.set(key(labels), { labels, value });
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(key(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const { labels, value } of family.values.values()) {
        const id = key(labels);
        lines.push(`${name}${id ? `{${id}}` : ''} ${Number.isFinite(value) ? value : 0}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
