// Loaded with `node --import` into a bot process under test: its "now" follows an offset the test writes
// to FAULT_CLOCK_FILE, so a scripted school day can jump days while the process runs (and after a
// SIGKILL and restart). Production code is untouched: it simply asks `new Date()`.
import { readFileSync } from 'node:fs';

const file = process.env.FAULT_CLOCK_FILE;
if (file) {
  let offset = 0;
  const read = () => {
    try {
      offset = Number(readFileSync(file, 'utf8')) || 0;
    } catch {
      // Not written yet: no offset.
    }
  };
  read();
  setInterval(read, 20).unref();
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
