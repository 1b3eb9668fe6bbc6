import { DataType, GraphBuilder, NCHWC_DOMAIN } from '@anneal/onnx';
import { createSession } from './create-session.js';

let probe: Promise<number | undefined> | undefined;

/**
 * The channel block of onnxruntime-node's NCHWc kernels on this CPU (16 with AVX-512, 8 with AVX2),
 * or undefined where they do not exist (other CPUs, a browser, a build without them). Measured once
 * per process: a 4-channel ReorderInput pads its channels up to one block. Compilers use it to
 * lower convolutions to ORT's direct blocked kernels (see blockConvs of @anneal/onnx).
 *
 * @example
 * const block = await nchwcBlockSize(); // 16 on an AVX-512 machine
 */
export function nchwcBlockSize(): Promise<number | undefined> {
  probe ??= (async () => {
    const b = new GraphBuilder({ opset: 17, name: 'nchwc_probe' });
    b.input('x', DataType.FLOAT, [1, 4, 1, 1]);
    b.output(b.op('ReorderInput', ['x'], {}, { domain: NCHWC_DOMAIN, output: 'y' }), DataType.FLOAT);
    try {
      const session = await createSession(b.build([{ domain: NCHWC_DOMAIN, version: 1 }]), { device: 'cpu', intraOpThreads: 1 });
      try {
        if (session.device !== 'cpu') return undefined;
        const { y } = await session.run({ x: { dataType: DataType.FLOAT, dims: [1, 4, 1, 1], data: new Float32Array(4) } });
        const block = Number(y!.dims[1]);
        return block >= 4 && block % 4 === 0 ? block : undefined;
      } finally {
        await session.release();
      }
    } catch {
      return undefined;
    }
  })();
  return probe;
}
