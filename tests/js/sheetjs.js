#!/usr/bin/env node
// Read a workbook with SheetJS (npm `xlsx`) and print what it sees as JSON.
//
//   node sheetjs.js BOOK.xlsx '[["Sheet", "B3"], ...]'
//
// Output: {"reader": "sheetjs X.Y.Z", "sheets": [names], "ranges": {sheet: "A1:I62"},
// "names": {definedName: ref}, "cells": [{"t": type, "v": value, "f": formula, "F": array range}
// or null for an empty cell, one per requested cell]}. SheetJS throws on a package it cannot
// read (a bad local header, say); then the exit status is 1 and the message is on stderr.
'use strict';

const XLSX = require('xlsx');

function main() {
  const [path, wanted] = process.argv.slice(2);
  if (!path) throw new Error("usage: node sheetjs.js BOOK.xlsx '[[sheet, cell], ...]'");
  const wb = XLSX.readFile(path, { cellFormula: true, cellNF: false, cellDates: false });
  const ranges = {};
  for (const name of wb.SheetNames) ranges[name] = wb.Sheets[name]['!ref'] || null;
  const names = {};
  for (const n of (wb.Workbook && wb.Workbook.Names) || []) names[n.Name] = n.Ref;
  const cells = JSON.parse(wanted || '[]').map(([sheet, ref]) => {
    const ws = wb.Sheets[sheet];
    if (!ws) throw new Error(`SheetJS sees no sheet ${sheet}`);
    const c = ws[ref];
    if (!c) return null;
    const out = { t: c.t, v: c.t === 'e' ? c.w : c.v };
    if (c.f !== undefined) out.f = c.f;
    if (c.F !== undefined) out.F = c.F;
    return out;
  });
  process.stdout.write(JSON.stringify({
    reader: `sheetjs ${XLSX.version}`, sheets: wb.SheetNames, ranges, names, cells,
  }));
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err && err.message ? err.message : err}\n`);
  process.exitCode = 1;
}
