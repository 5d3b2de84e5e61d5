// Gradient clipping, applied between backward() and step() to keep one bad batch (or an
// exploding RNN) from throwing the weights far away.

import type { Tensor } from "../tensor.js";

/**
 * Scales all gradients together so their overall 2-norm (or `normType`-norm, Infinity for the
 * max) is at most maxNorm; returns the norm before clipping.
 * Example: `loss.backward(); optim.clipGradNorm(model.parameters(), 1.0); optimizer.step()`
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  const grads = [...params].flatMap((p) => (p.grad === null ? [] : [p.grad.data]));
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
  } else if (normType === 2) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += g[i]! * g[i]!; // no Math.pow per element
    total = Math.sqrt(total);
  } else {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]!) ** normType;
    total = total ** (1 / normType);
  }
  const coefficient = maxNorm / (total + 1e-6); // PyTorch's epsilon: a zero norm never divides by 0
  if (coefficient < 1) {
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coefficient;
  }
  return total;
}

/** Clamps every gradient element into [−clipValue, clipValue]. Example: `optim.clipGradValue(model.parameters(), 0.5)` */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  for (const p of params) {
    if (p.grad === null) continue;
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]!));
  }
}
