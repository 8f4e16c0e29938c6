package org.streamdistill.student.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a file written by {@link OnnxExporter} declares about itself: its {@link ExportMetadata},
 * its {@link InputContract} and its number of output classes. Read from the file's
 * {@code metadata_props} and graph outputs, without an ONNX runtime.
 *
 * @param metadata model line, version, label set and label names
 * @param input how to prepare ids for the {@code token_ids} input
 * @param numClasses length of each {@code probabilities} row
 */
public record ExportedStudent(ExportMetadata metadata, InputContract input, int numClasses) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads the description of an exported student.
   *
   * @throws IOException if the file cannot be read, is not an ONNX model, or was not written by
   *     {@link OnnxExporter} (the message says what is missing)
   */
  public static ExportedStudent read(Path onnxFile) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(onnxFile)) {
      model = ModelProto.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(onnxFile + " is not an ONNX model: " + e.getMessage(), e);
    }
    try {
      return describe(model);
    } catch (IllegalArgumentException e) {
      throw new IOException(onnxFile + ": " + e.getMessage(), e);
    }
  }

  /** The description of an in-memory model (see {@link #read}). */
  public static ExportedStudent describe(ModelProto model) {
    Map<String, String> props = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      props.put(e.getKey(), e.getValue());
    }
    List<String> labelNames;
    try {
      labelNames = JSON.readValue(InputContract.required(props, OnnxExporter.LABEL_NAMES),
          new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalArgumentException("metadata " + OnnxExporter.LABEL_NAMES
          + " is not a JSON array of strings: " + e.getMessage());
    }
    ExportMetadata metadata = new ExportMetadata(
        InputContract.required(props, OnnxExporter.MODEL_NAME),
        InputContract.required(props, OnnxExporter.MODEL_VERSION),
        InputContract.required(props, OnnxExporter.LABEL_SET_ID), labelNames);
    int classes = -1;
    for (ValueInfoProto output : model.getGraph().getOutputList()) {
      if (output.getName().equals(OnnxExporter.PROBABILITIES)) {
        var dims = output.getType().getTensorType().getShape().getDimList();
        if (dims.size() == 2 && dims.get(1).hasDimValue()) {
          classes = (int) dims.get(1).getDimValue();
        }
      }
    }
    if (classes < 1) {
      throw new IllegalArgumentException("the graph has no output '" + OnnxExporter.PROBABILITIES
          + "' of shape [batch, classes]");
    }
    if (labelNames.size() != classes) {
      throw new IllegalArgumentException("metadata names " + labelNames.size()
          + " labels but the graph outputs " + classes + " classes");
    }
    return new ExportedStudent(metadata, InputContract.fromMetadata(props), classes);
  }
}
