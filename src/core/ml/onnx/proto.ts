/**
 * The subset of onnx.proto needed to write (and read back) an inference model, defined with
 * protobufjs from an embedded .proto text, plus a small graph builder.
 *
 * Field numbers are those of onnx/onnx.proto3 (ONNX IR). Only the messages and fields the exporter
 * uses or a reader of our own files needs are declared; protobuf skips unknown fields on decode, so
 * a model written by another tool still decodes (its extra fields are just not visible here).
 *
 * Tensor data is written little-endian into `raw_data`, as the ONNX spec requires; typed arrays on
 * this platform (x86-64 / arm64) are little-endian already, which is checked once at load time.
 */
import protobuf from 'protobufjs';

const ONNX_PROTO = `
syntax = "proto3";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; SPARSE_TENSOR = 11;
    TYPE_PROTO = 13; FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
    SPARSE_TENSORS = 12; TYPE_PROTOS = 14;
  }
  string name = 1;
  string ref_attr_name = 21;
  string doc_string = 13;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  string domain = 7;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message TensorProto {
  enum DataType {
    UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7;
    STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; UINT32 = 12; UINT64 = 13; COMPLEX64 = 14;
    COMPLEX128 = 15; BFLOAT16 = 16;
  }
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  string name = 8;
  string doc_string = 12;
  bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
  string denotation = 6;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}
`;

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;

/** The protobufjs message types, for encode/decode/verify. */
export const onnxTypes = {
  ModelProto: root.lookupType('onnx.ModelProto'),
  GraphProto: root.lookupType('onnx.GraphProto'),
  NodeProto: root.lookupType('onnx.NodeProto'),
  AttributeProto: root.lookupType('onnx.AttributeProto'),
  TensorProto: root.lookupType('onnx.TensorProto'),
  ValueInfoProto: root.lookupType('onnx.ValueInfoProto'),
  TypeProto: root.lookupType('onnx.TypeProto'),
  TensorShapeProto: root.lookupType('onnx.TensorShapeProto'),
  OperatorSetIdProto: root.lookupType('onnx.OperatorSetIdProto'),
} as const;

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT32: 6,
  INT64: 7,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Plain-object shapes of the messages (what encode takes and decode + toObject gives back).

export interface OnnxDim {
  dim_value?: number;
  dim_param?: string;
  denotation?: string;
}
export interface OnnxValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: OnnxDim[] } } };
  doc_string?: string;
}
export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int64_data?: number[];
  int32_data?: number[];
}
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain?: string;
  attribute: OnnxAttribute[];
  doc_string?: string;
}
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  doc_string?: string;
}
export interface OnnxModel {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  model_version?: number;
  doc_string?: string;
  graph: OnnxGraph;
  metadata_props: { key: string; value: string }[];
}

/** Encodes a ModelProto; throws if protobufjs' verifier rejects the object. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const err = onnxTypes.ModelProto.verify(model);
  if (err) throw new Error(`invalid ModelProto: ${err}`);
  return onnxTypes.ModelProto.encode(model).finish();
}

/**
 * Decodes ModelProto bytes into plain objects (int64 as numbers, bytes as Uint8Array, defaults and
 * empty arrays filled in). Throws protobufjs' error for bytes that are not a protobuf message; note
 * that protobuf is permissive, so some non-ONNX bytes decode into an (empty-looking) model.
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const msg = onnxTypes.ModelProto.decode(bytes);
  return onnxTypes.ModelProto.toObject(msg, {
    longs: Number,
    enums: Number,
    bytes: Uint8Array as unknown as () => void,
    defaults: true,
    arrays: true,
  }) as OnnxModel;
}

// ---------------------------------------------------------------------------------------------
// Attributes

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string };

/** Attribute constructors: `attr.ints([1, 1])`, `attr.float(0.5)` … (ONNX types them explicitly). */
export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  ints: (value: readonly number[]): AttrValue => ({ kind: 'ints', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  floats: (value: readonly number[]): AttrValue => ({ kind: 'floats', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
};

function toAttribute(name: string, v: AttrValue): OnnxAttribute {
  for (const n of v.kind === 'int' || v.kind === 'ints' ? ([] as number[]).concat(v.value) : []) {
    if (!Number.isSafeInteger(n)) throw new RangeError(`attribute ${name}: ${n} is not an integer`);
  }
  switch (v.kind) {
    case 'int':
      return { name, type: AttrType.INT, i: v.value };
    case 'ints':
      return { name, type: AttrType.INTS, ints: [...v.value] };
    case 'float':
      return { name, type: AttrType.FLOAT, f: v.value };
    case 'floats':
      return { name, type: AttrType.FLOATS, floats: [...v.value] };
    case 'string':
      return { name, type: AttrType.STRING, s: new TextEncoder().encode(v.value) };
  }
}

// ---------------------------------------------------------------------------------------------
// Graph builder

export type Dim = number | string;
export type TensorData = Float32Array | Uint8Array | Int32Array | BigInt64Array;

function elemTypeOf(data: TensorData): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Uint8Array) return DataType.UINT8;
  if (data instanceof Int32Array) return DataType.INT32;
  return DataType.INT64;
}

function valueInfo(name: string, elemType: DataTypeCode, dims: readonly Dim[], doc?: string): OnnxValueInfo {
  const dim = dims.map((d): OnnxDim => {
    if (typeof d === 'string') return { dim_param: d };
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`${name}: bad dimension ${d}`);
    return { dim_value: d };
  });
  const vi: OnnxValueInfo = { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
  if (doc) vi.doc_string = doc;
  return vi;
}

export interface ModelOptions {
  /** ai.onnx opset version (default 17). */
  opset?: number;
  /** IR version (default 8, the IR that opset 17 shipped with). */
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/**
 * Builds one ONNX graph: inputs, outputs, initializers and nodes in topological order (the order
 * they are added). Names are checked for uniqueness; unnamed node outputs get fresh names.
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX value name ${name} is used twice`);
    this.names.add(name);
    return name;
  }

  /** A name not used yet, from a readable prefix. */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  /** A graph input; string dims are symbolic (e.g. 'N' for the batch). */
  addInput(name: string, elemType: DataTypeCode, dims: readonly Dim[], doc?: string): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims, doc));
    return name;
  }

  /** Declares an existing value (a node output) as a graph output. */
  addOutput(name: string, elemType: DataTypeCode, dims: readonly Dim[], doc?: string): string {
    if (!this.names.has(name)) throw new Error(`graph output ${name} is not produced by any node`);
    this.outputs.push(valueInfo(name, elemType, dims, doc));
    return name;
  }

  /** A constant tensor stored in the model (raw little-endian data). */
  addInitializer(name: string, dims: readonly number[], data: TensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new RangeError(`initializer ${name}: ${data.length} values for dims [${dims.join(', ')}]`);
    if (!LITTLE_ENDIAN) throw new Error('ONNX export needs a little-endian platform');
    // Copy into a fresh buffer: the view may be unaligned or a window on a larger buffer.
    const raw = new Uint8Array(data.byteLength);
    raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.inits.push({ name: this.claim(name), dims: [...dims], data_type: elemTypeOf(data), raw_data: raw });
    return name;
  }

  /** Float constant (scalar when dims = []). */
  constFloat(prefix: string, values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    return this.addInitializer(this.fresh(prefix), dims, Float32Array.from(values));
  }

  /** int64 constant, e.g. a shape for Reshape or axes for ReduceSum. */
  constInt64(prefix: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.addInitializer(this.fresh(prefix), dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /**
   * Adds a node. `outputs` is a count (fresh names from the op type) or explicit names; returns the
   * output names. Every input must already exist (graph input, initializer or an earlier output);
   * '' stands for an omitted optional input.
   */
  addNode(opType: string, inputs: readonly string[], outputs: number | readonly string[] = 1, attrs: Record<string, AttrValue> = {}): string[] {
    for (const i of inputs) if (i !== '' && !this.names.has(i)) throw new Error(`${opType}: input ${i} is not defined yet`);
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : [...outputs];
    for (const o of outs) this.claim(o);
    this.nodes.push({
      input: [...inputs],
      output: outs,
      name: this.fresh(`n_${opType}`),
      op_type: opType,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outs;
  }

  /** Single-output shorthand for addNode. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.addNode(opType, inputs, output === undefined ? 1 : [output], attrs)[0]!;
  }

  /** The ModelProto object. */
  toModel(opts: ModelOptions = {}): OnnxModel {
    const model: OnnxModel = {
      ir_version: opts.irVersion ?? 8,
      opset_import: [{ domain: '', version: opts.opset ?? 17 }],
      producer_name: opts.producerName ?? 'latentwatch',
      producer_version: opts.producerVersion ?? '0',
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
      metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    if (opts.docString) model.doc_string = opts.docString;
    return model;
  }

  /** The serialized model. */
  toBytes(opts: ModelOptions = {}): Uint8Array {
    return encodeModel(this.toModel(opts));
  }
}

/** Reads a float/uint8/int32/int64 initializer back from its raw_data (for tests and inspection). */
export function tensorValues(t: OnnxTensor): Float32Array | Uint8Array | Int32Array | BigInt64Array {
  // new Uint8Array(view) copies: decoded bytes may be a Node Buffer view into a pooled buffer.
  const copy = new Uint8Array(t.raw_data ?? new Uint8Array(0)).buffer;
  switch (t.data_type) {
    case DataType.FLOAT:
      return new Float32Array(copy);
    case DataType.UINT8:
      return new Uint8Array(copy);
    case DataType.INT32:
      return new Int32Array(copy);
    case DataType.INT64:
      return new BigInt64Array(copy);
    default:
      throw new Error(`tensor ${t.name}: data type ${t.data_type} not supported here`);
  }
}
