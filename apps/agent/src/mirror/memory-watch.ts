import type { Logger } from 'pino';
import { assessMemory, readCgroupMemoryLimit, type MemoryAssessment } from './memory-cap';

/** How often the cgroup limit is read again (an operator may change MemoryMax at run time). */
const REREAD_MS = 60_000;

/**
 * Compares what a full table would need (nf_conntrack_max × measured bytes per entry) with the agent's
 * own memory limit, for every stats sample; logs a warning when a full table would pass the limit, once
 * per change, so the operator raises the limit before the kernel's OOM killer finds out.
 */
export class MemoryWatch {
  private cap: number | null = null;
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;
  private warned: string | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly readLimit: () => Promise<number | null> = () => readCgroupMemoryLimit(),
  ) {}

  /** Reads the limit (again, when due); the last value read is used meanwhile. */
  async refresh(now = Date.now()): Promise<void> {
    if (now - this.readAt < REREAD_MS) return;
    this.readAt = now;
    this.reading ??= this.readLimit()
      .then((cap) => void (this.cap = cap))
      .catch(() => undefined)
      .finally(() => (this.reading = null));
    await this.reading;
  }

  assess(tableMax: number): MemoryAssessment {
    void this.refresh();
    const assessment = assessMemory(tableMax, this.cap);
    const key = assessment.exceeds ? `${tableMax}/${this.cap}` : null;
    if (key !== this.warned) {
      if (assessment.exceeds) {
        const mb = (bytes: number) => Math.ceil(bytes / 1024 / 1024);
        this.logger.warn(
          { tableMax, neededMb: mb(assessment.neededBytes), capMb: mb(assessment.capBytes ?? 0), bytesPerEntry: assessment.bytesPerEntry },
          `a full table (nf_conntrack_max ${tableMax}) would need about ${mb(assessment.neededBytes)} MB, over this agent's memory limit of ${mb(assessment.capBytes ?? 0)} MB: raise MemoryMax (see the systemd unit) or lower nf_conntrack_max`,
        );
      } else if (this.warned !== null) this.logger.info({ tableMax }, 'a full table fits the memory limit again');
      this.warned = key;
    }
    return assessment;
  }
}
