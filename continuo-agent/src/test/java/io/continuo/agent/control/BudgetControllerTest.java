package io.continuo.agent.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BudgetControllerTest {
    @Test
    void backsOffWhenOverBudgetAndCreepsBackWhenUnder() {
        BudgetController c = new BudgetController(0.01);
        // Idle app: the agent's fixed cost is a large share of a small process CPU time.
        for (int i = 0; i < 10; i++) c.observe(2_000_000, 20_000_000);
        assertThat(c.scale()).isEqualTo(BudgetController.MAX_SCALE);
        // CPU spike: the same agent cost is now a tiny share.
        for (int i = 0; i < 40; i++) c.observe(1_000_000, 1_000_000_000);
        assertThat(c.scale()).isEqualTo(BudgetController.MIN_SCALE);
        assertThat(c.ratio()).isLessThan(0.01);
    }

    @Test
    void holdsSteadyInsideTheBand() {
        BudgetController c = new BudgetController(0.01);
        for (int i = 0; i < 10; i++) c.observe(7_000_000, 1_000_000_000);
        assertThat(c.scale()).isEqualTo(1.0);
    }

    @Test
    void ignoresMissingMeasurements() {
        BudgetController c = new BudgetController(0.01);
        c.observe(-1, 100);
        c.observe(5, 0);
        assertThat(c.scale()).isEqualTo(1.0);
        assertThat(c.ratio()).isNaN();
    }
}
