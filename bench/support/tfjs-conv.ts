// TF.js's WebAssembly backend registers Conv2D and Conv2DBackpropInput (XNNPACK) but no
// Conv2DBackpropFilter, so tf.grads through tf.conv2d fails there ("Kernel 'Conv2DBackpropFilter'
// not registered for backend 'wasm'"). For a reference that trains on that backend, this
// convolution (stride 1, no dilation) gets its weight gradient from the standard identity
// dW = a forward convolution of the input by the output gradient: with x [N, H, W, C] read as a
// batch of C images of N channels and dy [N, oh, ow, O] as an oh×ow filter from N to O channels,
// conv2d gives [C, kh, kw, O], transposed to the filter layout [kh, kw, C, O]. Every op runs on
// XNNPACK or the backend's own transpose.
import type * as TF from "@tensorflow/tfjs-core";

type Padding = "valid" | [[number, number], [number, number], [number, number], [number, number]];

/** tf.conv2d (NHWC, stride 1, symmetric padding `pad`) whose gradients the WASM backend can compute. */
export function trainableConv2d(tf: typeof TF, pad: number): (x: TF.Tensor4D, w: TF.Tensor4D) => TF.Tensor4D {
  const padding: Padding =
    pad === 0
      ? "valid"
      : [
          [0, 0],
          [pad, pad],
          [pad, pad],
          [0, 0],
        ];
  const op = tf.customGrad((x, w, save) => {
    const [input, filter] = [x as TF.Tensor4D, w as TF.Tensor4D];
    (save as TF.GradSaveFunc)([input, filter]);
    return {
      value: tf.conv2d(input, filter, 1, padding),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [TF.Tensor4D, TF.Tensor4D];
        const g = dy as TF.Tensor4D;
        const dx = tf.conv2dTranspose(g, ws, xs.shape, 1, padding);
        const asBatch = tf.transpose(xs, [3, 1, 2, 0]) as TF.Tensor4D;
        const asFilter = tf.transpose(g, [1, 2, 0, 3]) as TF.Tensor4D;
        const dw = tf.transpose(tf.conv2d(asBatch, asFilter, 1, padding), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return (x, w) => op(x, w) as TF.Tensor4D;
}
