// How the matmul pool splits a product's rows of C into blocks that the threads take in turn.
import { BLOCK_STARTS, MAX_BLOCKS } from "./pool-worker.js";

export const MR = 4; // rows of the kernel's micro-tile: blocks are multiples of it
export const MC = 96; // rows of A the kernel packs at once: a block of more gains nothing

/**
 * Splits C's m rows into blocks, writing their first rows (then m) at BLOCK_STARTS; returns how
 * many. Blocks are MC rows while much is left, then a shrinking share of what is left (guided
 * scheduling), down to one micro-tile: the threads then run out of work together, instead of one
 * waiting for another's last big block. Blocks grow past MC only where MAX_BLOCKS would not cover m.
 */
export function writeSchedule(control: Int32Array, m: number, threads: number): number {
  for (let most = MC; ; most *= 2) {
    let first = 0,
      count = 0;
    while (first < m && count < MAX_BLOCKS) {
      control[BLOCK_STARTS + count++] = first;
      const share = Math.ceil((m - first) / (2 * threads * MR)) * MR;
      first = Math.min(m, first + Math.max(MR, Math.min(most, share)));
    }
    if (first >= m) {
      control[BLOCK_STARTS + count] = m;
      return count;
    }
  }
}
