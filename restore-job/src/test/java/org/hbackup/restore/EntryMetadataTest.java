package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EntryMetadataTest {
  /** A setuid or setgid bit is applied only with the owner and group it was set for. */
  @Test
  void setuidAndSetgidNeedTheirOwner() {
    assertEquals((short) 04755, EntryMetadata.modeToApply((short) 04755, true));
    assertEquals((short) 0755, EntryMetadata.modeToApply((short) 04755, false));
    assertEquals((short) 0750, EntryMetadata.modeToApply((short) 06750, false));
    assertEquals((short) 01777, EntryMetadata.modeToApply((short) 01777, false), "the sticky bit stays");
  }
}
