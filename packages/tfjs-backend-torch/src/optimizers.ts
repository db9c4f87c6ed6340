import {
  AdamOptimizer,
  engine,
  getBackend,
  getKernel,
  scalar,
  type Tensor,
  tidy,
  type Variable,
  zerosLike,
} from "@tensorflow/tfjs-core";

/** tfjs-core's NamedTensor and NamedVariableMap, which its public index does not export. */
type NamedTensor = { name: string; tensor: Tensor };
type NamedVariableMap = { [name: string]: Variable };

import { TORCH_ADAM } from "./kernels/optim.js";

interface Slot {
  originalName: string;
  variable: ReturnType<Tensor["variable"]>;
}

/** The parts of AdamOptimizer's state this class updates (declared private in tfjs-core's typings). */
interface AdamState {
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  accBeta1: ReturnType<Tensor["variable"]>;
  accBeta2: ReturnType<Tensor["variable"]>;
}

/**
 * Adam with the same maths, state, weights and serialisation as TF.js's AdamOptimizer, whose
 * per-variable update runs as one fused kernel on the torch backend (about 12 element-wise
 * kernels, each with TF.js's per-op overhead, become one). On any other backend it is plain Adam.
 */
export class FusedAdamOptimizer extends AdamOptimizer {
  /** Changes the learning rate between steps (for schedules); tfjs-core keeps the field protected. */
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  override applyGradients(variableGradients: NamedVariableMap | NamedTensor[]): void {
    if (!getKernel(TORCH_ADAM, getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const step = this.iterations + 1;
    const biasCorrection1 = 1 - this.beta1 ** step;
    const biasCorrection2 = 1 - this.beta2 ** step;
    tidy(() => {
      names.forEach((name, i) => {
        const value = engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = engine().runKernel(
          TORCH_ADAM,
          { value, m, v, gradient },
          {
            learningRate: this.learningRate,
            beta1: this.beta1,
            beta2: this.beta2,
            epsilon: this.epsilon,
            biasCorrection1,
            biasCorrection2,
          },
        ) as Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      // Kept in step for getWeights/setWeights and for a switch to another backend mid-training.
      self.accBeta1.assign(scalar(this.beta1 ** (step + 1)));
      self.accBeta2.assign(scalar(this.beta2 ** (step + 1)));
    });
    this.incrementIterations();
  }

  /**
   * For the native training step: the first and second moments of `variables` (created as
   * applyGradients would, in the same slots), and Adam's numbers for the next step,
   * [learningRate, beta1, beta2, epsilon, biasCorrection1, biasCorrection2].
   */
  nativeSlots(variables: readonly Variable[]): { m: Variable[]; v: Variable[]; hyper: number[] } {
    const self = this as unknown as AdamState;
    const m: Variable[] = [];
    const v: Variable[] = [];
    variables.forEach((value, i) => {
      self.accumulatedFirstMoment[i] ??= {
        originalName: `${value.name}/m`,
        variable: tidy(() => zerosLike(value).variable(false)),
      };
      self.accumulatedSecondMoment[i] ??= {
        originalName: `${value.name}/v`,
        variable: tidy(() => zerosLike(value).variable(false)),
      };
      m.push(self.accumulatedFirstMoment[i].variable as Variable);
      v.push(self.accumulatedSecondMoment[i].variable as Variable);
    });
    const step = this.iterations + 1;
    return {
      m,
      v,
      hyper: [
        this.learningRate,
        this.beta1,
        this.beta2,
        this.epsilon,
        1 - this.beta1 ** step,
        1 - this.beta2 ** step,
      ],
    };
  }

  /** After a native step: the iteration count and beta powers move on as applyGradients' would. */
  advance(): void {
    const self = this as unknown as AdamState;
    const step = this.iterations + 1;
    tidy(() => {
      self.accBeta1.assign(scalar(this.beta1 ** (step + 1)));
      self.accBeta2.assign(scalar(this.beta2 ** (step + 1)));
    });
    this.incrementIterations();
  }
}

/** Like tf.train.adam, fused on the torch backend. */
export function fusedAdam(
  learningRate = 0.001,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon?: number,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon ?? (null as unknown as number));
}
