package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** Hadoop's default files without descriptions hold the same configuration. */
class SlimDefaultResourcesTest {
  @Test
  void hadoopsDefaultFilesKeepEveryPropertyAndLoseTheirDescriptions() throws IOException {
    int checked = 0;
    for (String name : new String[] {"core-default.xml", "mapred-default.xml", "yarn-default.xml", "hdfs-default.xml"}) {
      URL url = getClass().getClassLoader().getResource(name);
      if (url == null) {
        continue; // hdfs and yarn may not be on this module's class path
      }
      assertTrue(SlimDefaultResources.isDefaultResource(name), name);
      byte[] original;
      try (InputStream in = url.openStream()) {
        original = in.readAllBytes();
      }
      byte[] slim = SlimDefaultResources.slim(original);
      String text = new String(slim, StandardCharsets.UTF_8);
      assertFalse(text.contains("<description"), name);
      assertFalse(text.contains("<!--"), name);
      assertTrue(slim.length < original.length / 2, name + ": " + slim.length + " of " + original.length + " bytes");
      Configuration before = load(original, name);
      Configuration after = load(slim, name);
      assertTrue(before.size() > 100, name + " has " + before.size() + " properties");
      assertEquals(properties(before), properties(after), name);
      assertEquals(before.getFinalParameters(), after.getFinalParameters(), name);
      checked++;
    }
    assertTrue(checked >= 2, "core-default.xml and mapred-default.xml are on the class path");
  }

  @Test
  void aDescriptionHoldingMarkupGoesWholeAndNothingElse() {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<?xml-stylesheet type=\"text/xsl\" href=\"configuration.xsl\"?>\n"
        + "<!-- licence -->\n<configuration>\n"
        + "<property><name>a.key</name><value>x &amp; &lt;y&gt;</value>"
        + "<description><![CDATA[ends </description> here]]> and <b>bold</b> &lt;value&gt;</description>"
        + "<final>true</final><tag>CORE</tag></property>\n"
        + "<property><description>first</description><name>b.key</name><value><![CDATA[<z>]]></value></property>\n"
        + "</configuration>\n";
    byte[] slim = SlimDefaultResources.slim(xml.getBytes(StandardCharsets.UTF_8));
    String text = new String(slim, StandardCharsets.UTF_8);
    assertFalse(text.contains("description"), text);
    assertFalse(text.contains("licence"), text);
    assertFalse(text.contains("bold"), text);
    Configuration conf = load(slim, "a-default.xml");
    assertEquals("x & <y>", conf.getRaw("a.key"));
    assertEquals("<z>", conf.getRaw("b.key"));
    assertTrue(conf.getFinalParameters().contains("a.key"));
    assertEquals(properties(load(xml.getBytes(StandardCharsets.UTF_8), "a-default.xml")), properties(conf));
  }

  @Test
  void whatIsNotAConfigurationIsCopiedUnchanged() {
    byte[] other = "<project><description>kept</description></project>".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(other, SlimDefaultResources.slim(other));
    byte[] broken = "<configuration><property><description>".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(broken, SlimDefaultResources.slim(broken));
    assertFalse(SlimDefaultResources.isDefaultResource("core-site.xml"));
    assertFalse(SlimDefaultResources.isDefaultResource("conf/core-default.xml"));
    assertFalse(SlimDefaultResources.isDefaultResource("core-default.xml.bak"));
  }

  private static Configuration load(byte[] xml, String name) {
    Configuration conf = new Configuration(false);
    conf.addResource(new ByteArrayInputStream(xml), name);
    conf.size(); // loads it
    return conf;
  }

  private static Map<String, String> properties(Configuration conf) {
    Map<String, String> all = new TreeMap<>();
    for (Map.Entry<String, String> e : conf) {
      all.put(e.getKey(), conf.getRaw(e.getKey()));
    }
    return all;
  }
}
