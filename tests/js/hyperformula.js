#!/usr/bin/env node
// Recalculate a workbook in HyperFormula and print the value of every formula cell as JSON.
//
//   node hyperformula.js BOOK.xlsx [--controls JSON] [--volatile=cached]
//
// --controls sets control cells before the values are read, by defined name:
// '{"Activation": "relu", "Init": "he", "ActSet_L3": "sigmoid"}'.
// --volatile=cached keeps every =RAND() cell at its cached value (live workbooks: the draws
// the cached values were computed from), as `sheetsim verify` does; it is still listed.
//
// exceljs reads the package (formula text, constants, defined names); HyperFormula computes.
// Each legacy array formula {=F} over a range goes in as =ARRAYFORMULA(F) at its top-left cell,
// the rest of its range left empty, so HyperFormula's result fills the range as Excel's does.
// Cached values are not read here: the caller compares with the cached values it reads itself.
//
// Output: {"engine": "hyperformula X.Y.Z", "frozen": RAND() cells kept, "aliases": names
// renamed, "frequency": FREQUENCY arrays translated (below), "cells": [[sheet, row, col, value], ...]}, rows and columns 0-based; a value is a number, a string, a boolean, null (empty) or {"error": "#NUM!",
// "message": "..."}.
'use strict';

const ExcelJS = require('exceljs');
const { HyperFormula, DetailedCellError } = require('hyperformula');

// Excel's own semantics as far as HyperFormula has them: arrays compared and combined element
// by element in every formula (a plain SUMPRODUCT((range<=x)*1) is #VALUE! without it), and
// numbers compared and returned exactly: no 1e-13 equality epsilon (nor snapping nearly
// cancelling sums to 0), no rounding of results to 10 significant digits.
const CONFIG = {
  licenseKey: 'gpl-v3',
  useArrayArithmetic: true,
  precisionEpsilon: 0,
  smartRounding: false,
};

// What Excel writes but HyperFormula 3.5 does not read, translated outside string literals:
// - future functions are stored as _xlfn.NAME; HyperFormula knows them by the bare name;
// - number literals with a capital exponent (1E-16, as Excel writes them): HyperFormula's
//   lexer accepts only a small e;
// - defined names that HyperFormula takes for cell references (letters then digits, such as
//   AdamBeta1, or R1C1-like): they get an alias (see ALIAS);
// - INT: HyperFormula 3.5 rounds a negative number toward zero (INT(-1.3) is -1; Excel,
//   LibreOffice and Gnumeric give -2), so INT goes in as FLOOR.MATH, which rounds down.
const INT = /(?<![A-Za-z0-9_.])INT\(/gi;
const FUTURE = /_xlfn\./gi;
const EXPONENT = /(^|[^A-Za-z0-9_.$])(\d+\.?\d*|\.\d+)E([+-]?\d+)/g;
const CELL_LIKE = /^([A-Za-z]+[0-9]+|[rR][0-9]*[cC][0-9]*)$/;
const ALIAS = '_hf';

function nameOutsideStrings(name) {
  return new RegExp(`(?<![A-Za-z0-9_.!$'])${name}(?![A-Za-z0-9_.(!])`, 'gi');
}

function forHyperFormula(formula, aliases) {
  return formula
    .split('"')
    .map((part, i) => {
      if (i % 2) return part;
      let out = part.replace(FUTURE, '').replace(EXPONENT, '$1$2e$3').replace(INT, 'FLOOR.MATH(');
      for (const [name, alias] of aliases) out = out.replace(nameOutsideStrings(name), alias);
      return out;
    })
    .join('"');
}

// HyperFormula 3.5 has no FREQUENCY. An array formula that is FREQUENCY(data, bins) alone over
// one column goes in as one formula per cell of its range, each counting its bin with
// comparisons: (data <= edge i) and (data > edge i-1), the first bin open below, the extra last
// cell what lies above the greatest edge. That is FREQUENCY's count when the edges increase,
// as every workbook's do (FREQUENCY sorts the edges; the translation would not).
const FREQUENCY = /^FREQUENCY\((.*)\)$/i;

function topLevelArgs(text) {
  const args = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (ch === ',' && depth === 0) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start));
  return args;
}

function frequencyCells(text, rows) {
  const m = FREQUENCY.exec(text);
  if (!m || text.includes('"')) return null;
  const args = topLevelArgs(m[1]);
  if (args.length !== 2) return null;
  const [data, bins] = args;
  const edge = (i) => `INDEX(${bins},${i})`;
  const cells = [];
  for (let i = 1; i < rows; i++) {
    const above = i === 1 ? '1' : `(${data}>${edge(i - 1)})`;
    cells.push(`=SUMPRODUCT((${data}<=${edge(i)})*${above})`);
  }
  cells.push(`=SUMPRODUCT((${data}>MAX(${bins}))*1)`);
  return cells;
}

// Cell content for HyperFormula; text is prefixed with ' so that it stays text
// (otherwise "1", "TRUE" or "2024-01-01" would become numbers, booleans, dates).
function constant(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return `'${value}`;
  if (value instanceof Date) return (value.getTime() - Date.UTC(1899, 11, 30)) / 86400000;
  if (value.error) return value.error; // an error value such as #NUM!, parsed as that error
  if (value.richText) return `'${value.richText.map((r) => r.text).join('')}`;
  if (value.text !== undefined) return `'${value.text}`; // a hyperlink
  throw new Error(`unexpected cell value ${JSON.stringify(value)}`);
}

function decodeRange(ref) {
  const [a, b] = ref.replace(/\$/g, '').split(':');
  const one = (s) => {
    const m = /^([A-Z]+)([0-9]+)$/.exec(s);
    let col = 0;
    for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
    return { row: Number(m[2]) - 1, col: col - 1 };
  };
  const start = one(a);
  const end = b ? one(b) : start;
  return { start, end };
}

const VOLATILE = /^RAND\(\s*\)$/i;

async function load(path, freeze) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const names = []; // {name: as HyperFormula knows it, original, expression}
  const aliases = [];
  for (const { name, ranges } of wb.definedNames.model) {
    if (name.startsWith('_xlnm.') || ranges.length !== 1) continue;
    const known = CELL_LIKE.test(name) ? `${name}${ALIAS}` : name;
    if (known !== name) aliases.push([name, known]);
    names.push({ name: known, original: name, expression: `=${ranges[0]}` });
  }
  const sheets = {};
  const formulas = []; // [sheetName, row, col, rows, cols]
  let frozen = 0;
  let translated = 0;
  wb.eachSheet((ws) => {
    const grid = [];
    const inArray = new Set();
    const put = (r, c, v) => {
      while (grid.length <= r) grid.push([]);
      grid[r][c] = v;
    };
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        const r = cell.row - 1;
        const c = cell.col - 1;
        if (inArray.has(`${r},${c}`)) return;
        if (cell.type === ExcelJS.ValueType.Merge) return;
        const v = cell.value;
        if (cell.type === ExcelJS.ValueType.Formula) {
          if (v.formula === undefined) {
            throw new Error(`${ws.name}!${cell.address}: shared formulas are not expected`);
          }
          const text = forHyperFormula(v.formula, aliases);
          if (v.shareType === 'array') {
            const { start, end } = decodeRange(v.ref);
            const counts = start.col === end.col
              ? frequencyCells(text, end.row - start.row + 1) : null;
            if (counts) {
              counts.forEach((f, i) => {
                inArray.add(`${r + i},${c}`);
                put(r + i, c, f);
              });
              formulas.push([ws.name, r, c, counts.length, 1]);
              translated += 1;
              return;
            }
            for (let i = start.row; i <= end.row; i++) {
              for (let j = start.col; j <= end.col; j++) {
                inArray.add(`${i},${j}`);
                if (i !== r || j !== c) put(i, j, null);
              }
            }
            put(r, c, `=ARRAYFORMULA(${text})`);
            formulas.push([ws.name, r, c, end.row - start.row + 1, end.col - start.col + 1]);
          } else if (freeze && VOLATILE.test(text) && typeof v.result === 'number') {
            put(r, c, v.result);
            formulas.push([ws.name, r, c, 1, 1]);
            frozen += 1;
          } else {
            put(r, c, `=${text}`);
            formulas.push([ws.name, r, c, 1, 1]);
          }
          return;
        }
        put(r, c, constant(v));
      });
    });
    sheets[ws.name] = grid;
  });
  return { sheets, formulas, names, frozen, aliases: aliases.length, translated };
}

// An array result keeps ±inf inside HyperFormula; the cell shows it as #NUM!, as Excel would.
function output(value) {
  if (value instanceof DetailedCellError) return { error: value.value, message: value.message };
  if (typeof value === 'number' && !Number.isFinite(value)) return { error: '#NUM!' };
  return value === undefined ? null : value;
}

async function main() {
  const args = process.argv.slice(2);
  const path = args.shift();
  let controls = {};
  let freeze = false;
  while (args.length) {
    const arg = args.shift();
    if (arg === '--controls') controls = JSON.parse(args.shift());
    else if (arg === '--volatile=cached') freeze = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!path) {
    throw new Error('usage: node hyperformula.js BOOK.xlsx [--controls JSON] [--volatile=cached]');
  }
  const { sheets, formulas, names, frozen, aliases, translated } = await load(path, freeze);
  const hf = HyperFormula.buildFromSheets(
    sheets, CONFIG, names.map(({ name, expression }) => ({ name, expression })));
  for (const [name, value] of Object.entries(controls)) {
    const found = names.find((n) => n.original.toLowerCase() === name.toLowerCase());
    if (!found) throw new Error(`no defined name ${name}`);
    const [sheet, ref] = found.expression.slice(1).split('!');
    const sheetId = hf.getSheetId(sheet.replace(/^'(.*)'$/, '$1'));
    const { start } = decodeRange(ref);
    hf.setCellContents({ sheet: sheetId, row: start.row, col: start.col }, [[constant(value)]]);
  }
  const cells = [];
  for (const [sheet, row, col, rows, cols] of formulas) {
    const sheetId = hf.getSheetId(sheet);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const value = hf.getCellValue({ sheet: sheetId, row: row + i, col: col + j });
        cells.push([sheet, row + i, col + j, output(value)]);
      }
    }
  }
  const version = HyperFormula.version;
  process.stdout.write(JSON.stringify({
    engine: `hyperformula ${version}`, frozen, aliases, frequency: translated, cells,
  }));
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
