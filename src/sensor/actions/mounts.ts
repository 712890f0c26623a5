/**
 * The device's local file systems, as the code execution guard and the full antivirus scan see them:
 * disks and memory file systems, never pseudo (proc, sysfs, devtmpfs, …) or network ones.
 */
import { readFile } from 'node:fs/promises';

/** File system types counted as local. */
const LOCAL_FS_TYPES: ReadonlySet<string> = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'f2fs', 'jfs', 'reiserfs', 'zfs', 'vfat', 'exfat', 'ntfs', 'ntfs3', 'overlay', 'tmpfs']);

/** The mount points of the local file systems (from /proc/self/mounts), one per disk file system; none under /proc, /sys or /dev but /dev/shm. */
export async function localMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mounts', 'utf8');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [dev, mnt, type] = line.split(' ');
    if (!dev || !mnt || !type || !LOCAL_FS_TYPES.has(type)) continue;
    const path = mnt.replace(/\\040/g, ' ');
    if (/^\/(proc|sys|dev)(\/|$)/.test(path) && !path.startsWith('/dev/shm')) continue;
    const key = `${type}:${dev}`;
    if ((type !== 'tmpfs' && seen.has(key)) || seen.has(path)) continue;
    seen.add(key);
    seen.add(path);
    out.push(path);
  }
  return out;
}
