/**
 * A minimal typed event emitter for the cluster service (no vscode here: the extension wraps
 * these in vscode.EventEmitter, tests subscribe directly). `on` returns the unsubscribe function.
 */
export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  clear(): void {
    this.listeners.clear();
  }
}
