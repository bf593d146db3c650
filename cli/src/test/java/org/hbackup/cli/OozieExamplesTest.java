package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The Oozie examples are valid against the schemas Oozie itself validates with (from the
 * oozie-client jar), and every hbackup command line in them parses: a workflow that Oozie
 * accepts but hbackup refuses (exit 2) would fail at night, not at review.
 */
class OozieExamplesTest {
  private static final Path EXAMPLES = Paths.get("..", "examples", "oozie");

  private static Schema schema(String xsd) throws SAXException {
    URL url = OozieExamplesTest.class.getClassLoader().getResource(xsd);
    assertNotNull(url, xsd + " on the test classpath (oozie-client)");
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    return factory.newSchema(url);
  }

  @Test
  void theWorkflowIsValidOozieWorkflow10() throws Exception {
    schema("oozie-workflow-1.0.xsd").newValidator().validate(new StreamSource(EXAMPLES.resolve("workflow.xml").toFile()));
  }

  @Test
  void theCoordinatorIsValidOozieCoordinator05() throws Exception {
    schema("oozie-coordinator-0.5.xsd").newValidator()
        .validate(new StreamSource(EXAMPLES.resolve("coordinator.xml").toFile()));
  }

  @Test
  void everyActionIsAnHbackupCommandThatParsesAndTheVerifyReadsTheBackupsPoint() throws Exception {
    Document workflow = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(EXAMPLES.resolve("workflow.xml").toFile());
    NodeList javas = workflow.getElementsByTagName("java");
    assertEquals(3, javas.getLength(), "backup, verify, retention");
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < javas.getLength(); i++) {
      Element java = (Element) javas.item(i);
      assertEquals(Hbackup.class.getName(), java.getElementsByTagName("main-class").item(0).getTextContent());
      NodeList argNodes = java.getElementsByTagName("arg");
      List<String> args = new ArrayList<>();
      for (int a = 0; a < argNodes.getLength(); a++) {
        args.add(argNodes.item(a).getTextContent());
      }
      assertEquals(1, java.getElementsByTagName("capture-output").getLength(), "figures for later actions");
      commands.add(args.get(0));
      assertParses(args);
    }
    assertEquals(List.of("backup", "verify", "forget"), commands);
    String text = Files.readString(EXAMPLES.resolve("workflow.xml"));
    assertTrue(text.contains("<arg>${wf:actionData('backup')['point']}</arg>"), "verify checks the new point");
  }

  /** The command's options parse (EL expressions given sample values); nothing runs. */
  private static void assertParses(List<String> args) throws Exception {
    Matcher el = Pattern.compile("\\$\\{[^}]*\\}").matcher("");
    List<String> concrete = new ArrayList<>();
    for (String a : args) {
      concrete.add(el.reset(a).replaceAll(a.contains("actionData") ? "20261201T013000000Z-0a1b2c3d" : "hdfs://nn/x"));
    }
    Command command = Hbackup.command(concrete.get(0), System.out, System.err);
    assertNotNull(command, concrete.get(0));
    org.apache.commons.cli.CommandLine line = new org.apache.commons.cli.DefaultParser()
        .parse(command.options(), concrete.subList(1, concrete.size()).toArray(new String[0]));
    assertEquals(List.of(), line.getArgList(), "no stray arguments in " + args);
  }

  @Test
  void theCoordinatorPropertiesNameEveryParameterTheWorkflowUses() throws IOException {
    String properties = Files.readString(EXAMPLES.resolve("coordinator.properties"));
    for (String name : List.of("nameNode", "resourceManager", "source", "repo", "queueName", "start", "end",
        "workflowPath")) {
      assertTrue(properties.contains(name + "="), name);
    }
  }
}
