import { equal } from "node:assert/strict";
import {
  neutralizeFormula,
  neutralizeUploadedCell,
  restoreNeutralized,
} from "../../../core/products/csv_formula.ts";

const VALUES = [
  "=SUM(1)",
  "'=x",
  "''-y",
  "-5 off",
  "@home",
  "+1",
  "\tindented",
  "'plain quote",
  "''",
  "'",
  "plain",
  "a=b",
  "",
];

Deno.test("a cell starting with quotes and a formula character gets one more quote", () => {
  equal(neutralizeFormula("=SUM(1)"), "'=SUM(1)");
  equal(neutralizeFormula("'=x"), "''=x");
  equal(neutralizeFormula("''-y"), "'''-y");
  equal(neutralizeFormula("@home"), "'@home");
  equal(neutralizeFormula("'plain quote"), "'plain quote");
  equal(neutralizeFormula("a=b"), "a=b");
});

Deno.test("restoring removes exactly one quote, so neutralize → restore changes nothing", () => {
  equal(restoreNeutralized("''=x"), "'=x");
  equal(restoreNeutralized("'plain"), "'plain");
  for (const value of VALUES) {
    equal(restoreNeutralized(neutralizeFormula(value)), value, JSON.stringify(value));
  }
});

Deno.test("an uploaded cell made safe for a report imports as the original did", () => {
  for (const cell of [...VALUES, ...VALUES.map(neutralizeFormula)]) {
    const safe = neutralizeUploadedCell(cell);
    equal(restoreNeutralized(safe), restoreNeutralized(cell), JSON.stringify(cell));
    equal(/^[=+\-@\t\r]/.test(safe), false, JSON.stringify(cell));
  }
});
