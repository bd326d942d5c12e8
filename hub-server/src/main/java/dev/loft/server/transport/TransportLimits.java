package dev.loft.server.transport;

import dev.loft.server.budget.MemoryBudget;

/**
 * What every connection is made with: the bounds the transport keeps by itself, where it counts
 * and charges what it holds, and who hears of its close (the guard, the core).
 */
record TransportLimits(
    int maxHandshakeBytes,
    MemoryBudget budget,
    TransportCounters counters,
    HandshakeGuard guard,
    TransportHandler handler) {}
