/*
 * kafka-mock: runs librdkafka's in-process mock Kafka cluster on loopback until SIGTERM/SIGINT.
 *
 * usage: kafka-mock <brokers> <bootstrap-file> [topic:partitions ...]
 *
 * Creates <brokers> mock brokers and the named topics, then writes the bootstrap list
 * ("host:port,host:port") to <bootstrap-file> atomically (temp file + rename), so a waiting
 * test sees either no file or the complete address. Test support only; not shipped.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s <brokers> <bootstrap-file> [topic:partitions ...]\n", argv[0]);
    return 2;
  }
  int brokers = atoi(argv[1]);
  if (brokers < 1) brokers = 1;
  const char *out = argv[2];

  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Quiet: the handle only hosts the mock cluster and never connects anywhere itself. */
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  /* The mock cluster lives inside a client handle; a producer is the lightest one. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", err); return 1; }

  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "rd_kafka_mock_cluster_new failed\n"); rd_kafka_destroy(rk); return 1; }

  for (int i = 3; i < argc; i++) {
    char name[256];
    const char *colon = strrchr(argv[i], ':');
    int parts = colon ? atoi(colon + 1) : 1;
    size_t len = colon ? (size_t)(colon - argv[i]) : strlen(argv[i]);
    if (len == 0 || len >= sizeof name || parts < 1) { fprintf(stderr, "bad topic spec: %s\n", argv[i]); return 2; }
    memcpy(name, argv[i], len);
    name[len] = '\0';
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, parts, brokers < 3 ? brokers : 3);
    if (e) { fprintf(stderr, "topic %s: %s\n", name, rd_kafka_err2str(e)); return 1; }
  }

  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp.%d", out, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) { perror(tmp); return 1; }
  fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  if (fclose(f) != 0 || rename(tmp, out) != 0) { perror(out); return 1; }

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  while (!stop_requested) usleep(100 * 1000);

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
