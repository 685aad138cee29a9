/** Classification quality: accuracy, micro/macro F1, confusion matrix; multi-label micro F1. */

export interface ClassificationReport {
  labels: string[];
  count: number;
  accuracy: number;
  microF1: number;
  macroF1: number;
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  /** confusion[gold][predicted] */
  confusion: Record<string, Record<string, number>>;
}

function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

export function classificationReport(
  gold: readonly string[],
  predicted: readonly string[],
): ClassificationReport {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    confusion[gold[i]][predicted[i]]++;
    if (gold[i] === predicted[i]) correct++;
  }
  const perLabel: ClassificationReport["perLabel"] = {};
  let macro = 0;
  for (const label of labels) {
    const tp = confusion[label][label];
    let fp = 0;
    let fn = 0;
    for (const other of labels) {
      if (other === label) continue;
      fp += confusion[other][label];
      fn += confusion[label][other];
    }
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    perLabel[label] = { precision, recall, f1: f1(precision, recall), support: tp + fn };
    macro += perLabel[label].f1;
  }
  const accuracy = gold.length === 0 ? 0 : correct / gold.length;
  // For single-label classification micro-F1 equals accuracy.
  return {
    labels,
    count: gold.length,
    accuracy,
    microF1: accuracy,
    macroF1: labels.length ? macro / labels.length : 0,
    perLabel,
    confusion,
  };
}

export interface MultiLabelReport {
  count: number;
  microF1: number;
  macroF1: number;
  microPrecision: number;
  microRecall: number;
  /** Share of texts whose predicted label set equals the gold set. */
  exactMatch: number;
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}

export function multiLabelReport(
  gold: readonly string[][],
  predicted: readonly string[][],
): MultiLabelReport {
  const stats = new Map<string, { tp: number; fp: number; fn: number }>();
  const stat = (label: string) => {
    let s = stats.get(label);
    if (!s) {
      s = { tp: 0, fp: 0, fn: 0 };
      stats.set(label, s);
    }
    return s;
  };
  let exact = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = new Set(gold[i]);
    const p = new Set(predicted[i]);
    let same = g.size === p.size;
    for (const label of p) {
      if (g.has(label)) stat(label).tp++;
      else {
        stat(label).fp++;
        same = false;
      }
    }
    for (const label of g) if (!p.has(label)) stat(label).fn++;
    if (same) exact++;
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let macro = 0;
  const perLabel: MultiLabelReport["perLabel"] = {};
  for (const [label, s] of [...stats.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    tp += s.tp;
    fp += s.fp;
    fn += s.fn;
    const precision = s.tp + s.fp === 0 ? 0 : s.tp / (s.tp + s.fp);
    const recall = s.tp + s.fn === 0 ? 0 : s.tp / (s.tp + s.fn);
    perLabel[label] = { precision, recall, f1: f1(precision, recall), support: s.tp + s.fn };
    macro += perLabel[label].f1;
  }
  const microPrecision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const microRecall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    count: gold.length,
    microF1: f1(microPrecision, microRecall),
    macroF1: stats.size ? macro / stats.size : 0,
    microPrecision,
    microRecall,
    exactMatch: gold.length ? exact / gold.length : 0,
    perLabel,
  };
}

/** The confusion matrix as aligned text rows (gold down, predicted across). */
export function formatConfusion(report: ClassificationReport): string {
  const width = Math.max(8, ...report.labels.map((l) => l.length)) + 2;
  const pad = (s: string) => s.padStart(width);
  const lines = [pad("gold\\pred") + report.labels.map(pad).join("")];
  for (const g of report.labels)
    lines.push(pad(g) + report.labels.map((p) => pad(String(report.confusion[g][p]))).join(""));
  return lines.join("\n");
}
