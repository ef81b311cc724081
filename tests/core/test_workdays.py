"""Working days skip weekends and Kazakhstan's public holidays."""

from datetime import date

import pytest

from app.core.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize("day", [date(2026, 3, 23), date(2026, 3, 24), date(2026, 3, 25),  # Nauryz and moves
                                 date(2026, 12, 16), date(2026, 1, 1), date(2026, 11, 21)])  # Saturday
def test_not_working_days(day):
    assert not is_working_day(day)


def test_across_nauryz():
    # Friday 20 March 2026; 21-25 March are weekend, Nauryz and its observed days.
    assert add_working_days(date(2026, 3, 20), 1) == date(2026, 3, 26)
    # Thu 19 March + 10: Fri 20, then 26, 27, 30, 31 March, 1, 2, 3, 6, 7 April.
    assert add_working_days(date(2026, 3, 19), 10) == date(2026, 4, 7)


def test_across_independence_day():
    # Tuesday 15 December 2026; Wednesday 16 December is Independence Day.
    assert add_working_days(date(2026, 12, 15), 1) == date(2026, 12, 17)
    assert add_working_days(date(2026, 12, 11), 10) == date(2026, 12, 28)


def test_between_counts_both_ways():
    assert working_days_between(date(2026, 12, 15), date(2026, 12, 17)) == 1
    assert working_days_between(date(2026, 12, 17), date(2026, 12, 15)) == -1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_negative_days_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)
