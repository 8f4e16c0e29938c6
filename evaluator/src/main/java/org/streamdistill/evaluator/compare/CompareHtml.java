package org.streamdistill.evaluator.compare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.streamdistill.evaluator.console.ConsoleServer;

/**
 * The report as one self-contained HTML file a person can open and share: the tables, the
 * verdicts and the learning curves, drawn by uPlot (from its webjar, inlined: the file loads
 * nothing from anywhere).
 */
public final class CompareHtml {

  private static final String TEMPLATE = "/org/streamdistill/evaluator/compare/report.html";

  private CompareHtml() {}

  public static String render(ComparisonReport report) {
    String dist = "/META-INF/resources/webjars/uplot/" + ConsoleServer.uplotVersion() + "/dist/";
    // JSON inside a script element: "</" must not end it early.
    String json = CompareJson.format(report).replace("</", "<\\/");
    return resource(TEMPLATE)
        .replace("/*UPLOT_CSS*/", resource(dist + "uPlot.min.css"))
        .replace("/*UPLOT_JS*/", resource(dist + "uPlot.iife.min.js"))
        .replace("/*REPORT_JSON*/", json);
  }

  private static String resource(String path) {
    try (InputStream in = CompareHtml.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
