"""Many simulated agents in one process, for bench/agents.py: python -m bench.agent_senders URL PREFIX SECONDS NAME....

Each is the real agent code (netmon_agent.runtime.Agent: XADD to its stream and lease
renewal, one round trip per frame) replaying one real frame of this machine. All send on
each second's boundary, as real agents do. Prints the number of frames sent.
"""

import copy
import sys
import time

import redis

from netmon_agent.runtime import Agent, next_boundary
from netmon_agent.sampler import Sampler


class Replay:
    def __init__(self, name: str, frame: dict) -> None:
        self.name, self.frame, self.seq = name, frame, 0

    def sample(self) -> dict:
        self.seq += 1
        frame = copy.copy(self.frame)
        frame.update(host=self.name, ts=round(time.time(), 3), seq=self.seq)
        return frame


def main() -> None:
    url, prefix, seconds, names = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    real = Sampler("template")
    real.sample()
    time.sleep(1)
    frame = real.sample()  # with rates
    client = redis.Redis.from_url(url)
    agents = [Agent(client, name, prefix, sampler=Replay(name, frame)) for name in names]
    sent, until = 0, time.time() + seconds
    due = next_boundary(time.time(), 1.0)
    while due < until:
        time.sleep(max(0.0, due - time.time()))
        for agent in agents:
            agent.tick()
            sent += 1
        due = next_boundary(max(due, time.time()), 1.0)
    print(sent, flush=True)


if __name__ == "__main__":
    main()
