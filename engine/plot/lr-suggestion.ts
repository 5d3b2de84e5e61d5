// Which learning rate an lr range test suggests, by the rules the two best-known finders
// document (Leslie Smith's range test as fastai's `lr_find` and pytorch-lr-finder implement it):
//  - "steepest": the lr where the smoothed loss falls fastest per decade of lr (fastai's
//    `steep`, pytorch-lr-finder's `suggestion`: the minimum of the loss's gradient);
//  - "valley": fastai's default since 2.6, a point ~½ of the way down the longest falling
//    stretch of the smoothed loss, more robust to a noisy start;
//  - "minimum": a tenth of the lr with the lowest smoothed loss (fastai's `minimum`).
// Each rule sees the curve as the finders do: smoothed, and cut where the loss diverges (above
// 4× its minimum, fastai's `stop_div` test) or stops being finite. The finders smooth online with
// an exponential moving average while recording; here the whole curve is known, so a centred
// moving average smooths it without the EMA's lag (which moves the steepest point to larger lrs).

export type LrRule = "steepest" | "valley" | "minimum";

/** The suggested lr of an lr range test by `rule`, or undefined when the curve is too short. Example: `suggestLr(lrs, losses) // 0.01` */
export function suggestLr(
  lr: readonly number[],
  loss: readonly number[],
  rule: LrRule = "steepest",
): number | undefined {
  const curve = usableCurve(lr, loss);
  if (curve.lr.length < 5) return undefined;
  const smooth = smoothLoss(curve.loss);
  if (rule === "minimum") return curve.lr[argmin(smooth)]! / 10;
  if (rule === "valley") return curve.lr[valleyIndex(smooth)];
  return curve.lr[steepestIndex(curve.lr, smooth)];
}

/** The points up to divergence: positive lrs in increasing order, finite losses, none past 4× the lowest loss. */
function usableCurve(lr: readonly number[], loss: readonly number[]): { lr: number[]; loss: number[] } {
  const out = { lr: [] as number[], loss: [] as number[] };
  let best = Infinity;
  for (let i = 0; i < Math.min(lr.length, loss.length); i++) {
    const [x, y] = [lr[i]!, loss[i]!];
    if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y) || y > 4 * best) break;
    if (out.lr.length > 0 && x <= out.lr.at(-1)!) continue;
    best = Math.min(best, y);
    out.lr.push(x);
    out.loss.push(y);
  }
  return out;
}

/** A centred moving average over ~5% of the points (at least 1 on each side). Example: `smoothLoss([3, 1, 2]) // [2, 2, 1.5]` */
export function smoothLoss(loss: readonly number[]): number[] {
  const half = Math.max(1, Math.round(loss.length / 40));
  return loss.map((_, i) => {
    const window = loss.slice(Math.max(0, i - half), i + half + 1);
    return window.reduce((sum, v) => sum + v, 0) / window.length;
  });
}

// Central differences in log10(lr), one-sided at the ends (numpy.gradient).
function steepestIndex(lr: readonly number[], loss: readonly number[]): number {
  const x = lr.map(Math.log10);
  let best = 0;
  let bestSlope = Infinity;
  for (let i = 0; i < x.length; i++) {
    const [a, b] = [Math.max(0, i - 1), Math.min(x.length - 1, i + 1)];
    const slope = (loss[b]! - loss[a]!) / (x[b]! - x[a]!);
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return best;
}

// fastai's valley: the longest decreasing subsequence of the loss, then a point half-way
// down its length (start + ⌊len/3⌋ + ⌊len/6⌋, as fastai writes it).
function valleyIndex(loss: readonly number[]): number {
  const n = loss.length;
  const run = new Array<number>(n).fill(1);
  let maxStart = 0;
  let maxEnd = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (loss[i]! < loss[j]! && run[i]! < run[j]! + 1) run[i] = run[j]! + 1;
      if (run[maxEnd]! < run[i]!) {
        maxEnd = i;
        maxStart = maxEnd - run[maxEnd]!;
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  return Math.min(n - 1, maxStart + Math.floor(sections) + Math.floor(sections / 2));
}

function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[best]!) best = i;
  return best;
}
