// medplum_hl7.js DIR PASSES - parses every HL7 v2 file in DIR with
// @medplum/core's Hl7Message.parse and reads the fields the hub's parser
// reads (parsers/hl7v2.c's table), best of 5 rounds of PASSES passes, in
// process CPU time.  Prints one line: "medplum MB/s messages/s".
// Used only by tests/bench/parse_hl7.sh, with @medplum/core installed
// from npm into a scratch directory (NODE_PATH); nothing of it is kept.
'use strict';
const fs = require('fs');
const path = require('path');
const { Hl7Message } = require('@medplum/core');

const dir = process.argv[2];
const passes = Number(process.argv[3] || 3);
const docs = fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f), 'latin1'));
const bytes = docs.reduce((n, d) => n + d.length, 0);
let sink = 0;
const take = (v) => { if (v) sink += v.length; };

function read(msg) {
  const msh = msg.header;
  take(msh.getField(7).getComponent(1));
  take(msh.getField(9).getComponent(1));
  take(msh.getField(9).getComponent(2));
  take(msh.getField(10).getComponent(1));
  for (const s of msg.segments) {
    switch (s.name) {
      case 'RF1':
        take(s.getComponent(1, 1));
        take(s.getComponent(2, 1));
        take(s.getComponent(2, 2));
        take(s.getComponent(3, 1));
        take(s.getComponent(3, 2));
        take(s.getComponent(3, 3));
        take(s.getComponent(6, 1));
        take(s.getComponent(7, 1));
        take(s.getComponent(9, 1));
        take(s.getComponent(10, 2));
        take(s.getComponent(11, 1));
        take(s.getComponent(11, 2));
        take(s.getField(14).toString());
        break;
      case 'PID': {
        const ids = s.getField(3);
        for (let r = 0; r < ids.components.length; r++) {
          take(ids.getComponent(1, 0, r));
          take(ids.getComponent(4, 0, r));
          take(ids.getComponent(5, 0, r));
        }
        take(s.getComponent(7, 1));
        take(s.getComponent(8, 1));
        break;
      }
      case 'PD1':
        take(s.getComponent(3, 3));
        take(s.getComponent(3, 10));
        for (const c of [1, 2, 3, 6]) take(s.getComponent(4, c));
        break;
      case 'PRD': {
        take(s.getComponent(1, 1));
        for (const c of [1, 2, 5]) take(s.getComponent(2, c));
        const ids = s.getField(7);
        for (let r = 0; r < ids.components.length; r++) {
          take(ids.getComponent(1, 0, r));
          take(ids.getComponent(2, 0, r));
        }
        break;
      }
      case 'DG1':
      case 'PR1':
        for (const c of [1, 2, 3]) take(s.getComponent(3, c));
        break;
      case 'NTE':
        take(s.getField(3).toString());
        break;
      case 'OBX':
        take(s.getComponent(3, 2));
        take(s.getField(5).toString());
        take(s.getComponent(6, 1));
        break;
      default:
        break;
    }
  }
}

let best = Infinity;
for (let round = 0; round < 5; round++) {
  const t0 = process.cpuUsage();
  for (let p = 0; p < passes; p++) {
    for (const d of docs) read(Hl7Message.parse(d));
  }
  const t = process.cpuUsage(t0);
  best = Math.min(best, (t.user + t.system) / 1e6);
}
const n = docs.length * passes;
console.log(`medplum ${(bytes * passes / best / 1e6).toFixed(1)} ${(n / best).toFixed(0)} ${sink > 0 ? 'ok' : 'nothing read'}`);
