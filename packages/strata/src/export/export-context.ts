import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import type { AnyRegressor } from "../estimators/regressor-types.js";
import type { ElemType, GraphBuilder } from "./onnx-graph.js";

/** What a graph writer writes: a classifier (its probabilities) or a regressor (its prediction). */
export type GraphModel = AnyClassifier | AnyRegressor;

/** One graph input: a feature column's name and its element type. */
export interface ColumnInput {
  readonly name: string;
  readonly type: "float" | "string";
}

/** The name of the one image input: float32 [n, height, width, 3], RGB 0–255. */
export const IMAGE_INPUT = "image";

/**
 * A member's answer shown beside the combined one: the output `vote/<name>` (a classifier's
 * probabilities [rows, classes], a regressor's prediction [rows, 1]).
 */
export interface MemberVote {
  readonly name: string;
  readonly kind: string;
  readonly output: string;
}

/** What every context of one graph shares: the inputs declared so far, the image size, the votes. */
export interface SharedInputs {
  readonly columns: Map<string, ColumnInput>;
  imageSize: { readonly height: number; readonly width: number } | undefined;
  readonly votes: MemberVote[];
}

/**
 * What a kind's graph writer gets besides its model: the graph, the raw inputs (declared once,
 * shared by every member of an ensemble), and the way to write a nested model (an ensemble's
 * member or meta-model) with whichever writer its kind has.
 */
export class ExportContext {
  /** Columns that are values of the graph, not inputs (withColumns), made when first read. */
  private readonly made = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    /** The table's columns as the model directory's schema.json says (absent for image models). */
    readonly schema: TabularSchema | undefined,
    private readonly write: (ctx: ExportContext, model: GraphModel) => string,
    private readonly shared: SharedInputs = { columns: new Map(), imageSize: undefined, votes: [] },
    private readonly given: ReadonlyMap<string, () => string> = new Map(),
    /**
     * Inside an ensemble being written: its members' votes are not outputs (only the exported
     * ensemble's own members become `vote/<name>`, as `strata predict --votes` shows them).
     */
    readonly nested = false,
  ) {}

  /** This context for the models inside an ensemble (nested is true). */
  inner(): ExportContext {
    return new ExportContext(this.g, this.schema, this.write, this.shared, this.given, true);
  }

  /**
   * A context for a model that reads some columns made by the graph (a stack's meta-model reads
   * its members' probabilities as columns "<member>:<class>"): `column(name)` of a name `given`
   * holds is that value, made on first read; everything else is this context's.
   */
  withColumns(given: ReadonlyMap<string, () => string>): ExportContext {
    return new ExportContext(this.g, this.schema, this.write, this.shared, given, this.nested);
  }

  /** The graph input of a feature column, shape [rows, 1]: declared on first use. */
  column(name: string, type: ColumnInput["type"]): string {
    const make = this.given.get(name);
    if (make !== undefined) {
      if (type !== "float")
        throw new StrataError(
          `column "${name}" is a probability the graph computes; a model reads it as ${type}`,
        );
      let value = this.made.get(name);
      if (value === undefined) {
        value = make();
        this.made.set(name, value);
      }
      return value;
    }
    const known = this.shared.columns.get(name);
    if (known) {
      if (known.type !== type)
        throw new StrataError(
          `column "${name}" is read as ${known.type} by one model and as ${type} by another`,
        );
      return name;
    }
    this.shared.columns.set(name, { name, type });
    this.g.input(name, type satisfies ElemType, ["rows", 1]);
    return name;
  }

  /** The columns declared so far, in order. */
  get inputs(): ColumnInput[] {
    return [...this.shared.columns.values()];
  }

  /** The image input, float32 [n, height, width, 3] RGB 0–255; every model of the graph reads one size. */
  image(height: number, width: number): string {
    const size = this.shared.imageSize;
    if (size === undefined) {
      this.shared.imageSize = { height, width };
      this.g.input(IMAGE_INPUT, "float", ["n", height, width, 3]);
    } else if (size.height !== height || size.width !== width) {
      throw new StrataError(
        `the models read images at different sizes (${size.height}×${size.width} and ${height}×${width}); one ONNX graph takes one size`,
      );
    }
    return IMAGE_INPUT;
  }

  /** The image size, when the graph reads images. */
  get imageShape(): { readonly height: number; readonly width: number } | undefined {
    return this.shared.imageSize;
  }

  /** The members' votes recorded so far (vote). */
  get votes(): readonly MemberVote[] {
    return this.shared.votes;
  }

  /** A nested model's probabilities [rows, classes] in its class order, by its kind's writer. */
  probabilities(model: AnyClassifier): string {
    return this.write(this, model);
  }

  /** A nested regressor's prediction [rows, 1], by its kind's writer. */
  prediction(model: AnyRegressor): string {
    return this.write(this, model);
  }

  /**
   * Makes `answer` (probabilities [rows, classes], or a prediction [rows, 1] with `columns` 1) a
   * graph output `vote/<name>` and records it.
   */
  vote(name: string, kind: string, answer: string, columns: number): void {
    const output = `vote/${name}`;
    this.g.node("Identity", [answer], {}, { outputs: [output] });
    this.g.output(output, "float", ["rows", columns]);
    this.shared.votes.push({ name, kind, output });
  }
}
