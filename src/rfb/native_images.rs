//! Pure-Rust JPEG/PNG decoding for native use (tests, replay). In the browser the
//! engine hands images to the browser's own decoder instead.

use std::io::Cursor;

use super::decoders::ImageFormat;

pub fn decode(format: ImageFormat, data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let (w, h, rgba) = match format {
        ImageFormat::Jpeg => jpeg(data)?,
        ImageFormat::Png => png(data)?,
    };
    if (w, h) != (width, height) {
        return Err(format!("image is {w}x{h}, its rectangle {width}x{height}"));
    }
    Ok(rgba)
}

fn jpeg(data: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(data));
    let px = d.decode().map_err(|e| e.to_string())?;
    let info = d.info().ok_or("jpeg without a header")?;
    let rgba: Vec<u8> = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => px.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
        jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        other => return Err(format!("jpeg pixel format {other:?} not supported")),
    };
    Ok((info.width as u32, info.height as u32, rgba))
}

fn png(data: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    let mut d = png::Decoder::new(Cursor::new(data));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = d.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let px = &buf[..frame.buffer_size()];
    let rgba: Vec<u8> = match frame.color_type {
        png::ColorType::Rgba => px.to_vec(),
        png::ColorType::Rgb => px.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
        png::ColorType::Grayscale => px.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::GrayscaleAlpha => px.chunks_exact(2).flat_map(|c| [c[0], c[0], c[0], c[1]]).collect(),
        png::ColorType::Indexed => return Err("indexed png was not expanded".into()),
    };
    Ok((frame.width, frame.height, rgba))
}
