package dev.loft.server.transport;

import dev.loft.server.link.TransportHandler;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;

/**
 * What every connection is made with: the bounds the transport keeps by itself, where it counts
 * and charges what it holds, and who hears of its close (the guard, the core).
 */
record TransportLimits(
    int maxHandshakeBytes,
    MemoryBudget budget,
    StatStore counters,
    HandshakeGuard guard,
    TransportHandler handler) {}
