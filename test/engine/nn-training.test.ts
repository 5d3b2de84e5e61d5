// End-to-end training the way the tutorials do it: classify Iris with an MLP, fit XOR, and a
// tiny character-level Transformer on the sonnets. Each must actually learn.
import { describe, expect, it } from "vitest";
import { data, manualSeed, nn, noGrad, optim, Tensor } from "../../engine/index.js";

const accuracy = (logits: Tensor, labels: Tensor): number => logits.argmax(1).eq(labels).mean().item();

describe("training end to end", () => {
  it("an MLP classifies held-out Iris flowers (standardized, SGD with momentum, StepLR)", () => {
    manualSeed(0);
    const { x, y } = data.iris();
    const [xTrain, xTest, yTrain, yTest] = data.trainTestSplit(x, y, { testSize: 0.2, stratify: y });
    const scaler = data.fitStandardizer(xTrain!);
    const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const scheduler = new optim.lr.StepLR(optimizer, { stepSize: 30, gamma: 0.5 });
    const loader = new data.DataLoader(new data.TensorDataset(scaler.transform(xTrain!), yTrain!), {
      batchSize: 16,
      shuffle: true,
    });
    const firstLoss = criterion.forward(model.forward(scaler.transform(xTrain!)), yTrain!).item();
    for (let epoch = 0; epoch < 60; epoch++) {
      for (const [features, labels] of loader) {
        const loss = criterion.forward(model.forward(features), labels);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      }
      scheduler.step();
    }
    expect(firstLoss).toBeGreaterThan(0.9); // about log 3 before training
    model.eval();
    const trainAccuracy = noGrad(() => accuracy(model.forward(scaler.transform(xTrain!)), yTrain!));
    const testAccuracy = noGrad(() => accuracy(model.forward(scaler.transform(xTest!)), yTest!));
    expect(trainAccuracy).toBeGreaterThanOrEqual(0.97);
    // 30 test flowers: one mistake costs 3.3%; versicolor and virginica overlap a little.
    expect(testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(optimizer.paramGroups[0]!.lr).toBeCloseTo(0.025, 12); // halved at epochs 30 and 60
  });

  it("a 2-4-1 tanh network learns XOR with BCEWithLogits and Adam", () => {
    manualSeed(1);
    const { x, y } = data.xor();
    const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.05 });
    const criterion = new nn.BCEWithLogitsLoss();
    for (let step = 0; step < 500; step++) {
      const loss = criterion.forward(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    const predicted = Array.from(model.forward(x).sigmoid().data).map((p) => (p > 0.5 ? 1 : 0));
    expect(predicted).toEqual([0, 1, 1, 0]);
  });

  it("a one-block causal Transformer lowers its character-level loss on the sonnets", () => {
    manualSeed(2);
    const text = data.sonnets();
    const vocab = new data.CharVocab(text);
    const blockSize = 16;
    const embed = 32;
    class TinyGPT extends nn.Module {
      tokens = new nn.Embedding(vocab.size, embed);
      positions = new nn.Embedding(blockSize, embed);
      block = new nn.TransformerBlock(embed, 4, { causal: true });
      norm = new nn.LayerNorm(embed);
      head = new nn.Linear(embed, vocab.size);
      override forward(ids: Tensor): Tensor {
        const [b, t] = ids.shape as [number, number];
        const where = new Tensor(
          Int32Array.from({ length: t }, (_, i) => i),
          [t],
          "int32",
        );
        const h = this.tokens.forward(ids).add(this.positions.forward(where));
        return this.head.forward(this.norm.forward(this.block.forward(h))).reshape([b * t, vocab.size]);
      }
    }
    const model = new TinyGPT();
    const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3 });
    const loader = new data.DataLoader(data.nextCharDataset(vocab.encode(text), blockSize), {
      batchSize: 16,
      shuffle: true,
    });
    const losses: number[] = [];
    for (const [inputs, targets] of loader) {
      const loss = nn.functional.crossEntropy(model.forward(inputs), targets.reshape([-1]));
      optimizer.zeroGrad();
      loss.backward();
      optim.clipGradNorm(model.parameters(), 1);
      optimizer.step();
      losses.push(loss.item());
      if (losses.length === 100) break;
    }
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean(losses.slice(0, 5))).toBeGreaterThan(Math.log(vocab.size) - 1); // near-uniform guesses at first
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 5)) - 1); // at least 1 nat better
  });
});
