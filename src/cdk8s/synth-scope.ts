import { IConstruct } from 'constructs';

/**
 * Where the synths of an app begin and end. Within one `app.synth()` or
 * `app.synthYaml()`, cdk8s validates the whole app again before each chart
 * it renders, with none of the app's code running in between, so one result
 * serves all of them. Any other validation of the app (`chart.toJson()`,
 * `Testing.synth(chart)`) is a synth of its own: the app may have changed
 * since the last one. The two methods are wrapped on the app object itself,
 * around whatever they resolve to (an App subclass's overrides included).
 * @internal
 */
export class SynthScope {
  private running = 0;
  /** A whole synth has begun and not yet been counted by `beginValidation`. */
  private pending = false;
  private id = 0;

  public constructor(app: IConstruct) {
    const target = app as unknown as Record<string, unknown>;
    const scope = this;
    for (const method of ['synth', 'synthYaml']) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      Object.defineProperty(target, method, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: function synthOnce(this: unknown, ...args: unknown[]): unknown {
          if (scope.running++ === 0) scope.pending = true;
          try {
            return original.apply(this, args);
          } finally {
            scope.running--;
          }
        },
      });
    }
  }

  /**
   * Called at each validation of the whole app: true when it begins a new
   * synth (the first validation of a whole synth, or any validation outside
   * one), which then gets a new `current` id.
   */
  public beginValidation(): boolean {
    if (this.running > 0 && !this.pending) return false;
    this.pending = false;
    this.id++;
    return true;
  }

  /** Identifies the current synth: constant within it, new for the next. */
  public get current(): number {
    return this.id;
  }
}
