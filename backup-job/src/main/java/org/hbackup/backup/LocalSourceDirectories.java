package org.hbackup.backup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.hbackup.common.OneLine;

/**
 * Opens files below a local source root one directory at a time, each directory and the file
 * itself without following a symlink ({@code openat} with {@code O_NOFOLLOW}, through the JDK's
 * {@link SecureDirectoryStream}). A path opened whole resolves every directory on the way as it is
 * at that moment: a directory of the source swapped for a symlink to {@code /etc} between the
 * listing and the read made the backup store {@code /etc}'s file under the source's name, with
 * the backup's (often root's) rights. The root itself is opened as named, as the listing did.
 *
 * <p>Files are read in listing order, so the open directories are kept as a chain from the root
 * to the last file's directory, and a file of the same or a nearby directory opens only what
 * differs. Memory and descriptors: one per directory of the chain (the tree's depth).
 */
final class LocalSourceDirectories implements Closeable {
  private final Path root;
  /** The open directories: the root, then each component of {@link #names}. */
  private final List<SecureDirectoryStream<Path>> chain = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  LocalSourceDirectories(Path root) {
    this.root = root;
    OPEN.add(this);
  }

  /**
   * Opens {@code file}, below the root, for reading; null when it is not below the root or the
   * platform has no {@link SecureDirectoryStream} (the caller then opens the path as before). A
   * directory on the way that is now a symlink, or no longer a directory, and a file that is now a
   * symlink, fail with {@link SourceUnreadable}; one that is gone with {@link NoSuchFileException}.
   */
  FileChannel open(Path file) throws IOException {
    try {
      return openThroughChain(file);
    } catch (NoSuchFileException e) {
      if (names.isEmpty()) {
        throw e;
      }
      // The directories kept open may be ones deleted since (a tree removed and made again
      // under the same names while the backup runs): their names now lead to others. Open
      // again from the root, once, before calling the file gone; it was reported unreadable.
      closeBelow(0);
      return openThroughChain(file);
    }
  }

  /**
   * Opens {@code file} as {@link #open(Path)} does, as the file whose inode is {@code inode} (-1:
   * any). The directories kept open stay the ones first opened under their names, so that a
   * listed file is read from the directory listed; but a file read again as it is now (its status
   * taken by path since) must be read from where its path leads now. Read through a directory
   * renamed away (x moved to x.old, another x put in its place), it was stored with the old file's
   * bytes and the new one's status and stamp, and every later incremental carried that over
   * (found by a probe). When the entry the kept directories hold is another inode, they are
   * opened again from the root, once; what is read is then checked as always (changedSince).
   */
  FileChannel open(Path file, long inode) throws IOException {
    FileChannel channel = open(file);
    if (channel == null || inode < 0 || names.isEmpty()) {
      return channel;
    }
    long inChain = inodeInChain(file);
    if (inChain < 0 || inChain == inode) {
      return channel;
    }
    channel.close();
    closeBelow(0);
    return openThroughChain(file);
  }

  /** The inode of the entry named {@code file} in the last directory of the chain, or -1 if unknown. */
  private long inodeInChain(Path file) throws IOException {
    return org.hbackup.common.io.PosixFiles.inodeOf(chain.get(chain.size() - 1).getFileAttributeView(
        file.getFileName(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes().fileKey());
  }

  private FileChannel openThroughChain(Path file) throws IOException {
    Path relative = root.relativize(file);
    int count = relative.getNameCount();
    if (relative.toString().isEmpty() || relative.startsWith("..") || relative.isAbsolute()) {
      return null;
    }
    if (chain.isEmpty()) {
      DirectoryStream<Path> opened = Files.newDirectoryStream(root);
      if (!(opened instanceof SecureDirectoryStream)) {
        opened.close();
        return null;
      }
      chain.add((SecureDirectoryStream<Path>) opened);
    }
    int kept = 0;
    while (kept < names.size() && kept < count - 1 && names.get(kept).equals(relative.getName(kept).toString())) {
      kept++;
    }
    closeBelow(kept);
    for (int i = kept; i < count - 1; i++) {
      Path name = relative.getName(i);
      SecureDirectoryStream<Path> next;
      try {
        next = (SecureDirectoryStream<Path>) chain.get(chain.size() - 1).newDirectoryStream(name,
            LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException | AccessDeniedException e) {
        throw e;
      } catch (IOException e) {
        // ELOOP (a symlink now) or ENOTDIR (a file now): never read through it.
        throw new SourceUnreadable("not read: '" + name + "' above it is no longer a directory ("
            + OneLine.of(e) + "), it is never followed", e);
      }
      chain.add(next);
      names.add(name.toString());
    }
    SecureDirectoryStream<Path> parent = chain.get(chain.size() - 1);
    Path name = relative.getName(count - 1);
    SeekableByteChannel channel;
    Opening watch = new Opening(parent, name, file);
    opening = watch;
    try {
      channel = parent.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
      if (watch.stop()) {
        channel.close();
        throw new SourceUnreadable("no longer a regular file (a FIFO since it was listed): not read", null);
      }
    } catch (NoSuchFileException | AccessDeniedException e) {
      watch.stop();
      throw e;
    } catch (SourceUnreadable e) {
      throw e;
    } catch (IOException e) {
      watch.stop();
      // The JDK reports O_NOFOLLOW's ELOOP as a plain IOException: look at what is there.
      if (parent.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes().isSymbolicLink()) {
        throw new SourceUnreadable("not read, it is a symlink now, which is never followed", e);
      }
      throw e;
    }
    if (!(channel instanceof FileChannel)) {
      channel.close();
      return null;
    }
    return (FileChannel) channel;
  }

  /**
   * An open under way, which the watch thread unblocks when it is of a file that became a FIFO
   * between the look at its kind and the open (an open for reading waits for a writer, forever:
   * found by a probe, a backup hung in openat). When the open has not returned after
   * {@link #PATIENCE_NANOS} and the entry is a FIFO, the FIFO is opened for reading and writing,
   * which never waits on Linux and counts as the writer the read waits for; the read's open then
   * returns, and the caller refuses what it opened. Only FIFOs: a user of the source can make one,
   * and opening one writes nothing; but when the FIFO is no longer at the file's name, every FIFO
   * of the directory is opened so, and a reader of the source's own waiting on one of them then
   * sees its open return (only after an open of this backup waited a second on a FIFO). Cost per
   * file opened: this object and two volatile writes.
   */
  private static final class Opening {
    static final long PATIENCE_NANOS = 1_000_000_000L;
    private final SecureDirectoryStream<Path> parent;
    private final Path name;
    private final Path file;
    private final long since = System.nanoTime();
    private volatile boolean done;
    private volatile boolean fired;

    Opening(SecureDirectoryStream<Path> parent, Path name, Path file) {
      this.parent = parent;
      this.name = name;
      this.file = file;
    }

    /**
     * Called by the watch thread, twice a second, until the open returns. The FIFO the open waits
     * on may have been renamed since (swapped back and forth with the file): when none is at the
     * file's name, each FIFO of its directory is opened so.
     */
    void unblockIfAFifo() {
      if (done || System.nanoTime() - since < PATIENCE_NANOS) {
        return;
      }
      if (isFifo(file)) {
        unblock(name);
        return;
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent())) {
        for (Path entry : entries) {
          if (done) {
            return;
          }
          if (isFifo(entry)) {
            unblock(entry.getFileName());
          }
        }
      } catch (IOException | RuntimeException e) {
        // Not listable now: tried again at the next look.
      }
    }

    private static boolean isFifo(Path path) {
      try {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer && ((Integer) mode & 0170000) == 0010000;
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }

    private void unblock(Path entry) {
      try {
        // Looked at again through the directory the open is in (the look by path may have passed
        // through a directory swapped since): only a FIFO, socket or device there, never a file.
        if (!parent.getFileAttributeView(entry, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes().isOther()) {
          return;
        }
        fired = true;
        parent.newByteChannel(entry, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)).close();
      } catch (IOException | RuntimeException e) {
        // Gone, swapped back, or not ours to open: tried again at the next look.
      }
    }

    /** The open returned; whether it was of a FIFO that had to be unblocked. */
    boolean stop() {
      done = true;
      return fired;
    }
  }

  /** The open under way in this task, or null; looked at by {@link #WATCH}. */
  private volatile Opening opening;
  /** Every open chain of directories of this process, for the watch thread. */
  private static final Set<LocalSourceDirectories> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Looks at the opens under way twice a second; started with the first chain. */
  private static final Thread WATCH = watchThread();

  private static Thread watchThread() {
    Thread t = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
        for (LocalSourceDirectories d : OPEN) {
          Opening o = d.opening;
          if (o != null) {
            o.unblockIfAFifo();
          }
        }
      }
    }, "hbackup-fifo-watch");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Closes the directories past the first {@code kept} names. */
  private void closeBelow(int kept) throws IOException {
    while (names.size() > kept) {
      names.remove(names.size() - 1);
      chain.remove(chain.size() - 1).close();
    }
  }

  @Override
  public void close() throws IOException {
    OPEN.remove(this);
    closeBelow(0);
    if (!chain.isEmpty()) {
      chain.remove(0).close();
    }
  }
}
