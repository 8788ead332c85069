package io.keyflow.module;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Reads the text of the module file(s) a location names. */
final class ModuleSources {

  static final String CLASSPATH = "classpath:";

  /** One file's name (for messages) and text. */
  record Source(String name, String text) {}

  private ModuleSources() {}

  static List<Source> read(String location, ClassLoader loader) {
    if (location == null || location.isBlank()) {
      throw ModuleException.badLocation(String.valueOf(location), "is empty");
    }
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith(CLASSPATH)) {
      return classpath(location, location.substring(CLASSPATH.length()), loader);
    }
    if (lower.startsWith("file:")) {
      try {
        return List.of(file(location, Path.of(new URI(location))));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw ModuleException.badLocation(
            location, "is not a valid file: URL (" + e.getMessage() + ")");
      }
    }
    if (lower.matches("[a-z][a-z0-9+.-]*://.*")) {
      throw ModuleException.badLocation(
          location, "uses a scheme that is not supported; Keyflow does not fetch modules remotely");
    }
    try {
      return List.of(file(location, Path.of(location)));
    } catch (InvalidPathException e) {
      throw ModuleException.badLocation(location, "is not a valid path (" + e.getReason() + ")");
    }
  }

  private static List<Source> classpath(String location, String name, ClassLoader loader) {
    String resource = name.startsWith("/") ? name.substring(1) : name;
    if (resource.isEmpty()) {
      throw ModuleException.badLocation(location, "names no resource");
    }
    List<URL> urls;
    try {
      urls = Collections.list(loader.getResources(resource));
    } catch (IOException e) {
      throw ModuleException.unreadable(location, "listing classpath resources failed: " + e, e);
    }
    if (urls.isEmpty()) {
      throw ModuleException.notFound(
          location,
          "no resource named '"
              + resource
              + "' on the classpath (looked through the thread's"
              + " context class loader)");
    }
    List<Source> sources = new ArrayList<>();
    for (URL url : urls) {
      try (InputStream in = url.openStream()) {
        sources.add(new Source(url.toString(), decode(url.toString(), in.readAllBytes())));
      } catch (IOException e) {
        throw ModuleException.unreadable(url.toString(), e.toString(), e);
      }
    }
    return sources;
  }

  private static Source file(String location, Path path) {
    Path absolute = path.toAbsolutePath();
    if (!Files.exists(absolute)) {
      throw ModuleException.notFound(location, "there is no file at " + absolute);
    }
    if (Files.isDirectory(absolute)) {
      throw ModuleException.unreadable(
          location, absolute + " is a directory, not a module.yaml file", null);
    }
    try {
      return new Source(location, decode(location, Files.readAllBytes(absolute)));
    } catch (IOException e) {
      throw ModuleException.unreadable(location, "reading " + absolute + " failed: " + e, e);
    }
  }

  private static String decode(String name, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ModuleException.unreadable(name, "it is not UTF-8 text", e);
    }
  }
}
