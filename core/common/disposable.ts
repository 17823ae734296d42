/**
 * VS Code-style disposal: everything that registers something hands back a Disposable that
 * undoes exactly that registration. Disposing twice is harmless.
 */
export interface Disposable {
  dispose(): void;
}

export namespace Disposable {
  /** A handle that runs `fn` once, on the first dispose(). */
  export function create(fn: () => void): Disposable {
    let done = false;
    return {
      dispose() {
        if (done) return;
        done = true;
        fn();
      },
    };
  }

  export const NONE: Disposable = Object.freeze({ dispose() {} });

  export function is(x: unknown): x is Disposable {
    return typeof x === 'object' && x !== null && typeof (x as Disposable).dispose === 'function';
  }
}

/** A set of handles disposed together, last registered first (undo in reverse order). */
export class DisposableCollection implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds `d`; the returned handle disposes `d` and forgets it. */
  push(d: Disposable): Disposable {
    if (this.disposed) {
      d.dispose();
      return Disposable.NONE;
    }
    this.items.push(d);
    return Disposable.create(() => {
      const i = this.items.indexOf(d);
      if (i >= 0) this.items.splice(i, 1);
      d.dispose();
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    while (this.items.length > 0) {
      const d = this.items.pop()!;
      try {
        d.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
