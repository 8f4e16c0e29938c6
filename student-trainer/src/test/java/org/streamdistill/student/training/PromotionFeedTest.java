package org.streamdistill.student.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.streamdistill.student.training.TrainerHarness.PROMOTIONS_P0;
import static org.streamdistill.student.training.TrainingRecords.promotion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamdistill.records.PromotionEvent;
import org.streamdistill.schemas.registry.InMemorySchemaRegistryClient;
import org.streamdistill.schemas.topic.Topics;
import org.streamdistill.schemas.wire.AvroWireCodec;
import org.streamdistill.schemas.wire.UndecodableRecordException;

/** Reading model.promotions from its beginning, each record decoded or refused. */
class PromotionFeedTest {

  private final AvroWireCodec<PromotionEvent> codec = new AvroWireCodec<>(new InMemorySchemaRegistryClient(),
      Topics.PROMOTIONS.valueSubject(), PromotionEvent.class);
  private final LogConsumer consumer = new LogConsumer().withTopic(Topics.PROMOTIONS.name(), 1);
  private final PromotionFeed feed = new PromotionFeed(consumer, Topics.PROMOTIONS, codec);

  private void append(PromotionEvent event) {
    consumer.append(PROMOTIONS_P0, key(), codec.encode(event));
  }

  private static byte[] key() {
    return "student".getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void shouldReplayTheTopicFromItsBeginningThenFollowNewRecordsEachDecodedOrRefused() {
    // Given a PROMOTE and an undecodable record
    PromotionEvent promote = promotion("PROMOTE", null, "student-v1", "challenger");
    append(promote);
    consumer.append(PROMOTIONS_P0, key(), new byte[] {1, 2, 3});

    // When the feed starts and polls, then a ROLLBACK arrives
    feed.start(Duration.ofSeconds(5));
    List<PromotionFeed.Received> first = feed.poll(Duration.ZERO);
    PromotionEvent rollback = promotion("ROLLBACK", "student-v2", "student-v1", "previous");
    append(rollback);
    List<PromotionFeed.Received> next = feed.poll(Duration.ZERO);

    // Then every record comes once, in order, the garbage with its error
    assertThat(first).extracting(PromotionFeed.Received::event).containsExactly(promote, null);
    assertThat(first.get(1).error()).isInstanceOf(UndecodableRecordException.class);
    assertThat(next).extracting(PromotionFeed.Received::event).containsExactly(rollback);
    assertThat(next).extracting(r -> r.record().offset()).containsExactly(2L);
    assertThat(feed.poll(Duration.ZERO)).isEmpty();
  }

  @Test
  void shouldRefuseToStartWithoutThePromotionsTopic() {
    PromotionFeed missing = new PromotionFeed(new LogConsumer(), Topics.PROMOTIONS, codec);

    assertThatThrownBy(() -> missing.start(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
        .hasMessage("topic model.promotions does not exist: provision the pipeline's topics first (bin/streamdistill "
            + "provision)");
  }
}
