import * as fs from 'fs';
import * as path from 'path';
import { InputError, describeError } from '../common/errors';

/**
 * Where an output file really goes: a symlink is written through to its target, so the link
 * stays a link. Refuses what is not a regular file (a directory, a device, a FIFO): renaming
 * over `/dev/full` as root would replace the device node.
 */
export function resolveOutputPath(file: string, what: string): string {
  const abs = path.resolve(file);
  let target = abs;
  try {
    target = fs.realpathSync(abs);
  } catch {
    // Missing, or a dangling link: write to where the link points, or to the new path.
    try {
      const link = fs.readlinkSync(abs);
      target = path.resolve(path.dirname(abs), link);
    } catch {
      target = abs;
    }
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (st !== undefined && !st.isFile()) {
    throw new InputError(`${what} '${file}': ${st.isDirectory() ? 'is a directory' : 'is not a regular file'}; name a file to write`);
  }
  return target;
}

/** Creates the folder a file goes in (and its parents), or says why it cannot. */
export function ensureParentDir(target: string, what: string, file: string): void {
  const dir = path.dirname(target);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`${what} '${file}': cannot create folder ${dir}: ${describeError(e)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new InputError(`${what} '${file}': ${dir} is not a folder`);
}

/**
 * Writes `text` to `file` through a temporary file beside it and a rename, so a reader never
 * sees half a file and a failed write leaves the old one untouched; the temporary file is removed
 * whatever happens. Missing parent folders are created. `what` names the file in errors
 * (`--stats`).
 */
export function writeFileAtomic(file: string, text: string | Uint8Array, what = 'output file'): void {
  const target = resolveOutputPath(file, what);
  ensureParentDir(target, what, file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created
    }
    throw new InputError(`${what} '${file}': cannot write: ${describeError(e)}`);
  }
}

/**
 * The output files a command will write, checked before it does any work: each path can be
 * written (its folder is created), none is a directory or device, and no two name the same file.
 */
export class OutputFiles {
  private readonly targets = new Map<string, string>();

  /** Checks `file` for the option `what` (`--stats`); undefined is no file. */
  declare(what: string, file: string | undefined): void {
    if (file === undefined) return;
    const target = resolveOutputPath(file, what);
    const other = this.targets.get(target);
    if (other !== undefined) throw new InputError(`${what} '${file}' is the same file as ${other}; give each output its own file`);
    ensureParentDir(target, what, file);
    this.targets.set(target, `${what} '${file}'`);
  }
}
