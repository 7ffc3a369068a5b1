/**
 * `-R` with the kernel's work overlapping the parsing: while the batch starts with creates, each
 * window of them goes to the kernel (on the addon's thread) as soon as it is encoded, and the next
 * window is parsed meanwhile. conntrack's semantics stay: the whole batch is parsed before anything
 * else runs and before any failure is reported; a bad line anywhere takes back every entry the
 * pipelined creates made (so the table ends as if nothing ran), and a create that failed stops the
 * batch there, its window's later creates taken back, once the rest parsed cleanly.
 */
import { BatchReader, createWindow, createdIn, runBatch, sendWindow, undoCreates, windowAt, windowFailure, type CreateStep, type SentWindow } from './batch';
import type { CompatContext } from './run';

/**
 * Creates in the first pipelined window: small, since nothing overlaps its parse. Each later window
 * doubles, up to what one datagram holds (createWindow(), WINDOW_BYTES): every window is a handoff to
 * the addon's thread and back, and on a busy machine each handoff waits for a CPU.
 */
const PIPELINE_WINDOW = 512;

export async function runBatchText(text: Buffer | string, connect: () => Promise<CompatContext>): Promise<number> {
  const reader = new BatchReader(text);
  const maxWindow = createWindow();
  let window = Math.min(PIPELINE_WINDOW, maxWindow);
  let ctx: CompatContext | undefined;
  let connectError: unknown;
  let next = 0;
  let inflight: Promise<SentWindow> | undefined;
  let failed: SentWindow | undefined;
  const created: CreateStep[] = [];
  const settle = async () => {
    if (!inflight) return;
    const sent = await inflight;
    inflight = undefined;
    created.push(...createdIn(sent));
    if (sent.failed >= 0) failed = sent;
  };

  try {
    // Pipelined while the parsed lines are creates and nothing failed; the rest runs once all is parsed.
    while (!failed && connectError === undefined) {
      reader.read(next + window + 1);
      const steps = reader.steps;
      const batch = windowAt(steps, next, window);
      // A window is sent only when complete: a later line is parsed, so it cannot grow.
      if (batch.length === 0 || next + batch.length >= steps.length) break;
      await settle();
      if (failed) break;
      if (!ctx) {
        try {
          ctx = await connect();
        } catch (err) {
          connectError = err;
          break;
        }
      }
      inflight = sendWindow(batch, reader.messages, ctx);
      next += batch.length;
      window = Math.min(window * 2, maxWindow);
    }
    reader.read(Infinity);
  } catch (err) {
    // A bad line: conntrack would have run nothing.
    await settle().catch(() => undefined);
    if (ctx && created.length > 0) await undoCreates(created, reader.messages, ctx, 'undo of the creates before a bad line');
    throw err;
  }
  await settle();
  if (connectError !== undefined) throw connectError;
  ctx ??= await connect();
  if (failed) {
    const sent = failed;
    await undoCreates(createdIn(sent, sent.failed + 1), reader.messages, ctx, 'undo of the creates after a failed line');
    throw windowFailure(sent);
  }
  return runBatch({ steps: reader.steps, messages: reader.messages }, ctx, next);
}
