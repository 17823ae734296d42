/** The errno values KVM's ioctls return, by name (Linux asm-generic numbering). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  ENOEXEC: 8,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
} as const;
export type ErrnoName = keyof typeof ERRNO;

/**
 * An ioctl that failed the way the kernel would fail it. Scenarios can expect it
 * (`expect_errno: EBUSY`); otherwise it is reported with the ioctl, the errno and why.
 */
export class KvmIoctlError extends Error {
  constructor(
    readonly ioctl: string,
    readonly errno: ErrnoName,
    readonly why: string,
  ) {
    super(`${ioctl} failed with -${errno} (${ERRNO[errno]}): ${why}`);
    this.name = 'KvmIoctlError';
  }
}

export function fail(ioctl: string, errno: ErrnoName, why: string): never {
  throw new KvmIoctlError(ioctl, errno, why);
}
