/**
 * The compact binary form of a task model: "KVNLP001", a little-endian u32 header length, the
 * header as JSON (task, labels, scales, calibration), then each head's Int8 weights. Encoding is
 * deterministic, so the same training run gives the same bytes. Pure: the loader does the I/O.
 */
import type { LinearHead } from "./linear.js";
import { type TaskModel, trainableTasks } from "./models.js";

const magic = "KVNLP001";

interface HeadHeader extends Omit<LinearHead, "weights"> {
  name: string;
  length: number;
}

interface ModelHeader {
  task: TaskModel["task"];
  name: string;
  lang: string;
  features: TaskModel["features"];
  heads: HeadHeader[];
}

export function encodeModel(model: TaskModel): Uint8Array {
  const names = Object.keys(model.heads).sort();
  const header: ModelHeader = {
    task: model.task,
    name: model.name,
    lang: model.lang,
    features: model.features,
    heads: names.map((name) => {
      const h = model.heads[name];
      return {
        name,
        kind: h.kind,
        labels: h.labels,
        scale: h.scale,
        bias: h.bias,
        temperature: h.temperature,
        thresholds: h.thresholds,
        length: h.weights.length,
      };
    }),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const total =
    magic.length + 4 + headerBytes.length + names.reduce((s, n) => s + model.heads[n].weights.length, 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(magic.length, headerBytes.length, true);
  let offset = magic.length + 4;
  out.set(headerBytes, offset);
  offset += headerBytes.length;
  for (const n of names) {
    const w = model.heads[n].weights;
    out.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), offset);
    offset += w.length;
  }
  return out;
}

export class ModelFormatError extends Error {}

/** The model in `bytes`; weights are views on the same memory, not copies. */
export function decodeModel(bytes: Uint8Array): TaskModel {
  if (
    bytes.length < magic.length + 4 ||
    new TextDecoder().decode(bytes.subarray(0, magic.length)) !== magic
  ) {
    throw new ModelFormatError(
      "This file is not a Konversa text-analysis model (it lacks the KVNLP001 signature).",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(magic.length, true);
  let offset = magic.length + 4;
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(offset, offset + headerLength)),
  ) as ModelHeader;
  offset += headerLength;
  if (!(trainableTasks as readonly string[]).includes(header.task)) {
    throw new ModelFormatError(`The model's task "${header.task}" is unknown.`);
  }
  const heads: Record<string, LinearHead> = {};
  for (const h of header.heads) {
    if (offset + h.length > bytes.length) throw new ModelFormatError("The model file is truncated.");
    const { name, length, ...rest } = h;
    heads[name] = { ...rest, weights: new Int8Array(bytes.buffer, bytes.byteOffset + offset, length) };
    offset += length;
  }
  return { task: header.task, name: header.name, lang: header.lang, features: header.features, heads };
}
