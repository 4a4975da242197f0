// Codec benchmark (not a test): JSON against binary MessagePack codecs on the frames the hot
// path carries (p2a, p2b and decision batches). It decided the wire format: see README.md.
//
//   node packages/transport-ws/dist/bench/codec.js
//   MSGPACKR_MODULE=/path/to/node_modules/msgpackr/index.js node ...   (also measures msgpackr,
//   which is not a dependency: its optional native build trips pnpm's build-script policy)

import { decode as mpDecode, encode as mpEncode } from "@msgpack/msgpack";
import type { Command, Message } from "@paxos/core";
import { decodeFrame, encodeDataFrame, encodeMessage, frameFromParts } from "../src/codec.js";

interface Codec {
  readonly name: string;
  encode(from: string, msgs: readonly Message[]): Uint8Array | string;
  decode(data: Uint8Array | string): unknown;
}

const value64 = "v".repeat(64);
function command(i: number): Command {
  return {
    clientId: "c-5f2a9e1b",
    seq: i,
    ackedBelow: i,
    op: { type: "put", key: `key-${i % 1000}`, value: value64 },
  };
}
const ballot = { round: 3, leader: "n1" };
const batch16 = Array.from({ length: 16 }, (_, i) => command(i));

const cases: { name: string; msgs: Message[] }[] = [
  { name: "p2a x1 (1 cmd)", msgs: [{ type: "p2a", ballot, slot: 1, value: [command(1)] }] },
  {
    name: "p2a x8 (16 cmds each)",
    msgs: Array.from({ length: 8 }, (_, s) => ({ type: "p2a", ballot, slot: s, value: batch16 })),
  },
  {
    name: "p2b x32",
    msgs: Array.from({ length: 32 }, (_, s) => ({ type: "p2b", ballot, slot: s, accepted: true })),
  },
  {
    name: "decision x8 (16 cmds each)",
    msgs: Array.from({ length: 8 }, (_, s) => ({ type: "decision", slot: s, value: batch16 })),
  },
];

const codecs: Codec[] = [
  {
    name: "json (stringify frame)",
    encode: (from, msgs) => encodeDataFrame(from, msgs),
    decode: (d) => decodeFrame(d),
  },
  {
    name: "json (encode once, splice)",
    encode: (from, msgs) =>
      frameFromParts(
        from,
        msgs.map((m) => encodeMessage(m)),
      ),
    decode: (d) => decodeFrame(d),
  },
  {
    name: "@msgpack/msgpack",
    encode: (from, msgs) => mpEncode({ t: "msgs", v: 1, from, msgs }),
    decode: (d) => mpDecode(d as Uint8Array),
  },
];

if (process.env.MSGPACKR_MODULE) {
  const { Packr } = (await import(process.env.MSGPACKR_MODULE)) as {
    Packr: new (o: object) => { pack(v: unknown): Uint8Array; unpack(b: Uint8Array): unknown };
  };
  const plainOut = new Packr({ useRecords: false });
  const plainIn = new Packr({ useRecords: false });
  codecs.push({
    name: "msgpackr (no records)",
    encode: (from, msgs) => plainOut.pack({ t: "msgs", v: 1, from, msgs }),
    decode: (d) => plainIn.unpack(d as Uint8Array),
  });
}

function bytes(x: Uint8Array | string): number {
  return typeof x === "string" ? Buffer.byteLength(x) : x.byteLength;
}

function measure(fn: () => void, minMs = 300): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / n;
}

/** Sends the same messages to three peers (a p2a to each acceptor, a decision to each replica). */
function fanOut3(codec: Codec, msgs: readonly Message[]): void {
  if (codec.name.startsWith("json (encode once")) {
    const parts = msgs.map((m) => encodeMessage(m));
    for (let p = 0; p < 3; p++) frameFromParts("n1", parts);
  } else {
    for (let p = 0; p < 3; p++) codec.encode("n1", msgs);
  }
}

console.log(
  "codec                          | frame                       | bytes | enc us | dec us | enc to 3 peers us",
);
for (const c of cases) {
  for (const codec of codecs) {
    const encoded = codec.encode("n1", c.msgs);
    // Decoding a ws frame starts from a Buffer in both cases (text frames arrive as Buffers).
    const wire = typeof encoded === "string" ? Buffer.from(encoded) : encoded;
    const enc = measure(() => codec.encode("n1", c.msgs));
    const dec = measure(() => codec.decode(wire));
    const fan = measure(() => fanOut3(codec, c.msgs));
    console.log(
      `${codec.name.padEnd(30)} | ${c.name.padEnd(27)} | ${String(bytes(encoded)).padStart(5)} | ${enc.toFixed(2).padStart(6)} | ${dec.toFixed(2).padStart(6)} | ${fan.toFixed(2).padStart(6)}`,
    );
  }
}
