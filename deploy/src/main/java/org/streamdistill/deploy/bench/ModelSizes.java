package org.streamdistill.deploy.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.streamdistill.teacher.model.TeacherBundle;

/** Parameters and bytes of the models, read from their ONNX files and the teacher bundle. */
final class ModelSizes {

  /** A model's size: weights counted from its initializers, bytes of its files. */
  record Size(long parameters, long bytes) {}

  private ModelSizes() {}

  /** The teacher: the encoder's ONNX graph from the class path plus the bundle's head. */
  static Size teacher(Path bundleDir) throws IOException {
    TeacherBundle bundle = TeacherBundle.load(bundleDir);
    String resource = bundle.encoder().modelResource();
    byte[] onnx;
    try (InputStream in = ModelSizes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("class-path resource " + resource + " not found");
      }
      onnx = in.readAllBytes();
    }
    long head = (long) bundle.labels().size() * (bundle.encoder().dimension() + 1);
    long headBytes = 0;
    try (var files = Files.list(bundleDir)) {
      for (Path p : files.toList()) {
        headBytes += Files.size(p);
      }
    }
    return new Size(parameters(ModelProto.parseFrom(onnx)) + head, onnx.length + headBytes);
  }

  /** An ONNX file written by the student's exporter. */
  static Size onnxFile(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new Size(parameters(ModelProto.parseFrom(in)), Files.size(file));
    }
  }

  /** Elements of every initializer of the graph (its weights). */
  static long parameters(ModelProto model) {
    long total = 0;
    for (TensorProto t : model.getGraph().getInitializerList()) {
      long n = 1;
      for (long d : t.getDimsList()) {
        n *= d;
      }
      total += n;
    }
    return total;
  }
}
