"""What the apps agree on: every channel-layer group and message type, the signals through
which the lower apps tell the upper ones what happened, the metric catalogue, and the
WebSocket protocol catalogue (every frame type, its socket and fields) that the docs are
built from."""
