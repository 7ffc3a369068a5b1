import { COMPOSITION_RING, type Composition } from '@ctscope/protocol';

/** The agent's recent summaries, oldest first, at most `capacity` (an hour at the default interval). */
export class CompositionRing {
  private readonly items: Composition[] = [];
  constructor(readonly capacity = COMPOSITION_RING) {}

  push(composition: Composition): void {
    this.items.push(composition);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  get size(): number {
    return this.items.length;
  }

  latest(): Composition | undefined {
    return this.items[this.items.length - 1];
  }

  /** The summaries taken at or after `since`, oldest first (a copy). */
  since(since: number): Composition[] {
    return this.items.filter((c) => c.at >= since);
  }

  /** The last summary taken at or before `at`, or undefined when every one is later. */
  at(at: number): Composition | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if ((this.items[i] as Composition).at <= at) return this.items[i];
    return undefined;
  }
}
