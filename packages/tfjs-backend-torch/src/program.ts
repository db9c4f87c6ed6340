/** One op of a compiled network (see native/train.cc). */
export interface ProgramOp {
  op: string;
  in: number[];
  p?: number[];
  s?: string;
  f?: number[];
  i?: number[];
}

/** What `compileProgram` takes: the ops, each parameter's L1/L2 coefficients, the loss kind. */
export interface ProgramSpec {
  ops: ProgramOp[];
  l1: number[];
  l2: number[];
  binary: boolean;
}
