import { MAX_HISTORY_POINTS, historyPointOf, type HistoryPoint, type StatsSample } from '@ctscope/protocol';

/** The last hour of samples at their native resolution, in a fixed ring. */
export class StatsHistory {
  private readonly points: (HistoryPoint | undefined)[];
  private next = 0;
  private length = 0;

  constructor(private readonly capacity = MAX_HISTORY_POINTS) {
    this.points = new Array<HistoryPoint | undefined>(capacity);
  }

  add(sample: StatsSample): void {
    this.points[this.next] = historyPointOf(sample);
    this.next = (this.next + 1) % this.capacity;
    this.length = Math.min(this.capacity, this.length + 1);
  }

  /** Points taken after `since` (ms), oldest first. */
  since(since: number): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    const start = (this.next - this.length + this.capacity) % this.capacity;
    for (let i = 0; i < this.length; i++) {
      const point = this.points[(start + i) % this.capacity];
      if (point && point.at > since) out.push(point);
    }
    return out;
  }
}
