// Real recordings for the speech example: Asterisk's voice prompts (Debian packages
// asterisk-core-sounds-{en,es,fr,it}-wav: 8 kHz mono WAV, about 550 prompts per language).
// English and Spanish are read by the same speaker (Allison), French by June, Italian by Carlo.
// Most prompt names exist in every language (the same sentence translated), so the split is by
// prompt name: a test sentence is never heard in any language during training.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permutation } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { createSession, type Session } from '@anneal/runtime';
import { speechModels } from '@anneal/testing';
import * as wavefile from 'wavefile';

// wavefile's "main" is a CommonJS bundle: under Node's ESM loader its classes sit on the default export
const { WaveFile } = ((wavefile as unknown as { default?: typeof wavefile }).default ?? wavefile);

export const LANGUAGES = ['en', 'es', 'fr', 'it'] as const;
const SOUNDS = '/usr/share/asterisk/sounds';
/** Frames the embedding model takes: 76 log-mel frames of 10 ms (775 ms of audio). */
export const FRAMES = 76;
const RATE = 16_000;

/** Clips as the embedding model's input [N, 76, 32, 1], their language ids and prompt names. */
export interface SpeechSet {
  x: TensorValue;
  y: TensorValue;
  prompts: string[];
}

/** Every prompt path (relative, without .wav) recorded in all four languages. */
function commonPrompts(): string[] {
  const missing = LANGUAGES.filter((l) => !existsSync(join(SOUNDS, l)));
  if (missing.length) {
    throw new Error(`no Asterisk prompts for ${missing.join(', ')} under ${SOUNDS}: apt-get install ${missing.map((l) => `asterisk-core-sounds-${l}-wav`).join(' ')}`);
  }
  const list = (lang: string, dir = ''): string[] =>
    readdirSync(join(SOUNDS, lang, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? list(lang, join(dir, e.name)) : e.name.endsWith('.wav') ? [join(dir, e.name.slice(0, -4))] : [],
    );
  const sets = LANGUAGES.map((l) => new Set(list(l)));
  return [...sets[0]!].filter((p) => sets.every((s) => s.has(p))).sort();
}

/** 16 kHz samples at int16 scale (as openWakeWord feeds its mel model), zero-padded to at least `minSeconds`, centred. */
function readClip(file: string, minSeconds: number): Float32Array {
  const wav = new WaveFile(readFileSync(file));
  wav.toSampleRate(RATE);
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array;
  const length = Math.max(raw.length, Math.ceil(minSeconds * RATE));
  const out = new Float32Array(length);
  out.set(Float32Array.from(raw), Math.floor((length - raw.length) / 2));
  return out;
}

/** The 76 central log-mel frames of a clip, scaled as openWakeWord does (mel / 10 + 2). */
async function centralFrames(mel: Session, samples: Float32Array): Promise<Float32Array> {
  const out = await mel.run({ input: { dataType: DataType.FLOAT, dims: [1, samples.length], data: samples } });
  const spec = Object.values(out)[0]!;
  const frames = spec.dims[2]!;
  const all = spec.data as Float32Array;
  const start = Math.floor((frames - FRAMES) / 2) * 32;
  return Float32Array.from(all.subarray(start, start + FRAMES * 32), (v) => v / 10 + 2);
}

/**
 * The train and test sets: prompts common to the four languages, split by prompt name (a seeded
 * `testShare` of the names go to test), each clip as its central 775 ms of log-mel frames.
 */
export async function loadSpeechSets(options: { seed: number; testShare: number }): Promise<{ train: SpeechSet; test: SpeechSet; prompts: number }> {
  const prompts = commonPrompts();
  const order = permutation(prompts.length, options.seed);
  const testCount = Math.round(prompts.length * options.testShare);
  const isTest = new Set(Array.from(order.subarray(0, testCount), (i) => prompts[i]!));
  const mel = await createSession(new Uint8Array(readFileSync(speechModels.melspectrogram)), { intraOpThreads: 2 });
  const parts = { train: { x: [] as Float32Array[], y: [] as number[], prompts: [] as string[] }, test: { x: [] as Float32Array[], y: [] as number[], prompts: [] as string[] } };
  for (const prompt of prompts) {
    for (const [id, lang] of LANGUAGES.entries()) {
      const part = isTest.has(prompt) ? parts.test : parts.train;
      part.x.push(await centralFrames(mel, readClip(join(SOUNDS, lang, `${prompt}.wav`), 1.2)));
      part.y.push(id);
      part.prompts.push(`${lang}/${prompt}`);
    }
  }
  await mel.release();
  const pack = (p: typeof parts.train): SpeechSet => {
    const data = new Float32Array(p.x.length * FRAMES * 32);
    p.x.forEach((f, i) => data.set(f, i * FRAMES * 32));
    return { x: { dataType: DataType.FLOAT, dims: [p.x.length, FRAMES, 32, 1], data }, y: { dataType: DataType.INT64, dims: [p.y.length], data: BigInt64Array.from(p.y, BigInt) }, prompts: p.prompts };
  };
  return { train: pack(parts.train), test: pack(parts.test), prompts: prompts.length };
}
