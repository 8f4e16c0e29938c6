/**
 * The student as a standard ONNX file: {@link org.streamdistill.student.export.OnnxExporter}
 * writes a {@link org.streamdistill.student.model.TextCnn}'s weights as an opset-13 graph
 * (Gather, Transpose, Conv, ReduceMax, Relu, Concat, Gemm, Softmax) with symbolic batch and
 * sequence dimensions, plus, in the file's {@code metadata_props}, the model version, its labels
 * and the {@link org.streamdistill.student.export.InputContract} that turns raw WordPiece ids
 * into the graph's input exactly as the Java model does; {@link
 * org.streamdistill.student.export.ExportedStudent} reads that description back without an ONNX
 * runtime. The trainer exports every checkpoint beside its {@code .ckpt} file.
 */
package org.streamdistill.student.export;
