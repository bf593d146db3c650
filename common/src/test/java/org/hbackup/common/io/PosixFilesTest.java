package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixFilesTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void listsALocalDirectoryInNameOrderWithWhatLstatSays() throws IOException {
    for (String name : new String[] {"zeta", "alpha", "Mid", "beta-1", "beta"}) {
      Files.write(dir.resolve(name), name.getBytes());
    }
    Files.createDirectory(dir.resolve("gamma"));
    Files.setPosixFilePermissions(dir.resolve("alpha"), PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("no-such-target"));
    FileSystem fs = FileSystem.getLocal(new Configuration());

    List<FileStatus> listed = new ArrayList<>();
    RemoteIterator<FileStatus> it = PosixFiles.listLocal(fs, new Path(dir.toUri()));
    while (it.hasNext()) {
      listed.add(it.next());
    }
    List<String> names = new ArrayList<>();
    listed.forEach(s -> names.add(s.getPath().getName()));
    assertEquals(List.of("Mid", "alpha", "beta", "beta-1", "gamma", "link", "zeta"), names);

    for (FileStatus s : listed) {
      java.nio.file.Path local = dir.resolve(s.getPath().getName());
      PosixFileAttributes a = Files.readAttributes(local, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertEquals(a.owner().getName(), s.getOwner(), s.getPath().getName());
      assertEquals(a.group().getName(), s.getGroup(), s.getPath().getName());
      assertEquals(PosixFiles.toMode(a.permissions()), s.getPermission().toShort(), s.getPath().getName());
      assertEquals(a.lastModifiedTime().toMillis(), s.getModificationTime());
      assertEquals(a.isRegularFile() ? a.size() : 0, s.getLen());
      assertEquals(a.isDirectory(), s.isDirectory());
    }
    FileStatus link = listed.get(5);
    assertTrue(link.isSymlink(), "a dangling link is listed as a link");
    assertEquals(dir.resolve("no-such-target").toString(), link.getSymlink().toUri().getPath());
    assertFalse(listed.get(4).isFile());
    assertEquals((short) 0640, listed.get(1).getPermission().toShort());
  }
}
