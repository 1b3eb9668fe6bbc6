import { DataType, tensorValueInfo, type Executor, type ModelProto, type TensorValue } from '@anneal/onnx';
import type { ShapeInfo } from './shapes';

/**
 * Measures the dims and element type of every tensor of a model by running it once on sample
 * feeds with every node output exposed as a graph output. Use a batch of at least 2 so that
 * batch axes are not mistaken for broadcast axes of size 1.
 *
 * @example const shapes = await probeShapes(model, { x: sampleBatch }, executor);
 */
export async function probeShapes(model: ModelProto, feeds: Record<string, TensorValue>, executor: Executor): Promise<Map<string, ShapeInfo>> {
  const shapes = new Map<string, ShapeInfo>();
  for (const t of model.graph.initializer) if (t.name) shapes.set(t.name, { dims: t.dims.map(Number), dataType: t.dataType });
  for (const [name, v] of Object.entries(feeds)) shapes.set(name, { dims: [...v.dims], dataType: v.dataType });
  const probe = structuredClone(model);
  const declared = new Set(probe.graph.output.map((o) => o.name));
  const wanted: string[] = [];
  for (const n of probe.graph.node) {
    for (const o of n.output) {
      if (!o || shapes.has(o)) continue;
      wanted.push(o);
      if (!declared.has(o)) {
        probe.graph.output.push(tensorValueInfo(o, DataType.UNDEFINED));
        declared.add(o);
      }
    }
  }
  // an output with an undefined elem type is accepted by ORT; drop the type so any type is fine
  for (const o of probe.graph.output) if (o.type?.tensorType?.elemType === DataType.UNDEFINED) delete o.type;
  const outputs = await executor.run(probe, feeds, wanted);
  for (const [name, v] of Object.entries(outputs)) shapes.set(name, { dims: [...v.dims], dataType: v.dataType });
  return shapes;
}
