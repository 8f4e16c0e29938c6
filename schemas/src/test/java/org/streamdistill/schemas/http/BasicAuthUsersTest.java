package org.streamdistill.schemas.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BasicAuthUsersTest {

  private final BasicAuthUsers users = BasicAuthUsers.of(List.of(BasicCredentials.parse("alice:s3cret-a"),
      BasicCredentials.parse("bob:s3cret:b")));

  private static String header(String userInfo) {
    return BasicCredentials.parse(userInfo).authorizationHeader();
  }

  @Test
  void shouldAuthenticateEachKnownUserWithItsOwnPassword() {
    assertThat(users.authenticate(header("alice:s3cret-a"))).isEqualTo("alice");
    assertThat(users.authenticate(header("bob:s3cret:b"))).isEqualTo("bob");
  }

  @Test
  void shouldRefuseWrongPasswordsUnknownUsersAndAnotherUsersPassword() {
    assertThat(users.authenticate(header("alice:s3cret-b"))).isNull();
    assertThat(users.authenticate("Basic " + java.util.Base64.getEncoder().encodeToString(
        "alice:s3cret-a ".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).isNull();
    assertThat(users.authenticate(header("alice:s3cret"))).isNull();
    assertThat(users.authenticate(header("alice:s3cret:b"))).isNull();
    assertThat(users.authenticate(header("carol:s3cret-a"))).isNull();
    assertThat(users.authenticate(null)).isNull();
    assertThat(users.authenticate("Bearer s3cret-a")).isNull();
  }

  @Test
  void shouldParseCommaAndLineSeparatedEntriesSkippingCommentsAndBlanks() {
    List<BasicCredentials> parsed = BasicAuthUsers.parseList("# users of the registry\nalice:a1, bob:b2\n\n carol:c:3 \n",
        "test");

    assertThat(parsed).containsExactly(new BasicCredentials("alice", "a1"), new BasicCredentials("bob", "b2"),
        new BasicCredentials("carol", "c:3"));
  }

  @Test
  void shouldNameTheBadEntryByNumberWithoutItsContent() {
    assertThatThrownBy(() -> BasicAuthUsers.parseList("alice:a1,bob-b2", "registry.auth.users"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registry.auth.users: user entry 2: expected user:password, got a value without ':'");
  }

  @Test
  void shouldListUsersButNoPasswordInToString() {
    assertThat(users.toString()).isEqualTo("BasicAuthUsers[alice, bob]");
  }
}
