package io.keyflow.module;

import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Splits a YAML stream into its documents. Reads the node graph rather than Java objects so that
 * scalars keep their written text (see {@link Scalars}).
 */
final class Documents {

  private Documents() {}

  /** The non-empty documents of {@code text}, numbered from 1 counting empty ones too. */
  static List<YamlNode> read(String file, String text) {
    List<YamlNode> documents = new ArrayList<>();
    int number = 0;
    try {
      for (Node root : new Compose(settings(file)).composeAllFromString(text)) {
        number++;
        if (!Scalars.isNull(root)) {
          documents.add(new YamlNode(file, number, null, "", root));
        }
      }
    } catch (YamlEngineException e) {
      throw syntaxError(file, number + 1, e);
    }
    return documents;
  }

  static YamlNode parseSpec(String file, String kind, String specYaml) {
    List<YamlNode> documents = read(file, specYaml);
    if (documents.size() != 1) {
      throw ModuleException.at(
          file, 1, kind, "spec", "found " + documents.size() + " documents", "exactly one");
    }
    YamlNode spec = documents.get(0);
    return new YamlNode(file, spec.document(), kind, "spec", spec.node());
  }

  private static LoadSettings settings(String file) {
    return LoadSettings.builder().setLabel(file).build();
  }

  private static ModuleException syntaxError(String file, int document, YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException marked) {
      Mark mark = marked.getProblemMark().or(marked::getContextMark).orElse(null);
      String problem = marked.getProblem();
      if (marked.getContext() != null) {
        problem += " (" + marked.getContext() + ")";
      }
      if (mark != null) {
        return ModuleException.syntax(
            file, document, mark.getLine() + 1, mark.getColumn() + 1, problem, e);
      }
      return ModuleException.at(file, document, null, null, "invalid YAML: " + problem, null, e);
    }
    return ModuleException.at(
        file, document, null, null, "invalid YAML: " + e.getMessage(), null, e);
  }
}
