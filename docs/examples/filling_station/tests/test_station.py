"""Python tests of the filling station on the simulator (the plc fixture comes with plcops test)."""


def test_conveyor_stops_under_the_nozzle_and_the_valve_opens(plc):
    plc["GVL_IO.bStopButton"] = True  # normally closed: TRUE = not pressed
    plc["GVL_IO.nTankLevel"] = 20000
    plc.watch("GVL_IO.bConveyorRun", "GVL_IO.bFillValveOpen")
    plc["GVL_IO.bStartButton"] = True
    plc.advance("100ms")
    assert plc["GVL_IO.bConveyorRun"]
    plc["GVL_IO.bBottleInPlace"] = True
    assert plc.scan_until(lambda p: p["GVL_IO.bFillValveOpen"], timeout="T#1s")
    assert len(plc.fell("GVL_IO.bConveyorRun")) == 1


def test_empty_tank_keeps_the_valve_closed(plc):
    plc["GVL_IO.bStopButton"] = True
    plc["GVL_IO.nTankLevel"] = 100  # below the recipe's minimum of 2765
    plc["GVL_IO.bStartButton"] = True
    plc.advance("100ms")
    plc["GVL_IO.bBottleInPlace"] = True
    plc.advance("1s")
    assert not plc["GVL_IO.bFillValveOpen"]
