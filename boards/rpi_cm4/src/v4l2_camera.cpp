// SPDX-License-Identifier: Apache-2.0
// hal::Camera on V4L2: memory-mapped streaming, manual exposure, conversion to BGR/grey with OpenCV.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

#include <linux/videodev2.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <gw/boards/rpi_cm4/devices.h>

#include "../board_config.h"

namespace gw::boards::rpi_cm4 {
namespace {

int xioctl(int fd, unsigned long request, void* arg)
{
    int r = 0;
    do {
        r = ::ioctl(fd, request, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

std::string errnoText(std::string_view what)
{
    return std::string(what) + ": " + std::strerror(errno);
}

class V4l2Camera final : public hal::Camera {
public:
    V4l2Camera(int fd, std::filesystem::path device) : fd_(fd), device_(std::move(device)) {}
    V4l2Camera(const V4l2Camera&) = delete;
    V4l2Camera& operator=(const V4l2Camera&) = delete;
    ~V4l2Camera() override
    {
        stop();
        ::close(fd_);
    }

    Result<void> configure(const hal::CameraMode& mode) override
    {
        stop();
        v4l2_format fmt{};
        fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        fmt.fmt.pix.width = static_cast<std::uint32_t>(mode.widthPx);
        fmt.fmt.pix.height = static_cast<std::uint32_t>(mode.heightPx);
        fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
        fmt.fmt.pix.field = V4L2_FIELD_NONE;
        if (xioctl(fd_, VIDIOC_S_FMT, &fmt) < 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_S_FMT"));
        const std::uint32_t pf = fmt.fmt.pix.pixelformat;
        if (pf != V4L2_PIX_FMT_YUYV && pf != V4L2_PIX_FMT_GREY && pf != V4L2_PIX_FMT_RGB24 &&
            pf != V4L2_PIX_FMT_BGR24)
            return fail(Errc::CameraFault,
                        device_.string() + ": driver offers no YUYV/GREY/RGB24/BGR24 format");
        pixelFormat_ = pf;
        width_ = static_cast<int>(fmt.fmt.pix.width);
        height_ = static_cast<int>(fmt.fmt.pix.height);
        bytesPerLine_ = fmt.fmt.pix.bytesperline;

        v4l2_requestbuffers req{};
        req.count = kCaptureBuffers;
        req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        req.memory = V4L2_MEMORY_MMAP;
        if (xioctl(fd_, VIDIOC_REQBUFS, &req) < 0 || req.count == 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_REQBUFS"));
        for (std::uint32_t i = 0; i < req.count; ++i) {
            v4l2_buffer buf{};
            buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            buf.memory = V4L2_MEMORY_MMAP;
            buf.index = i;
            if (xioctl(fd_, VIDIOC_QUERYBUF, &buf) < 0)
                return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_QUERYBUF"));
            void* p = ::mmap(nullptr, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buf.m.offset);
            if (p == MAP_FAILED)
                return fail(Errc::CameraFault, errnoText(device_.string() + ": mmap"));
            buffers_.push_back({p, buf.length});
            if (xioctl(fd_, VIDIOC_QBUF, &buf) < 0)
                return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_QBUF"));
        }
        v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(fd_, VIDIOC_STREAMON, &type) < 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_STREAMON"));
        streaming_ = true;
        return {};
    }

    Result<hal::CapturedFrame> capture(std::uint32_t exposureUs, vision::PixelFormat format) override
    {
        if (!streaming_)
            return fail(Errc::CameraFault, device_.string() + ": not configured");
        if (exposureUs > kMaxExposureUs)
            return fail(Errc::InvalidArgument,
                        "exposure " + std::to_string(exposureUs) + " us above the limit");
        if (exposureUs > 0)
            setExposure(exposureUs);
        // Frames already queued were exposed under the previous light and exposure: drop one buffer's
        // worth, then keep the next.
        for (std::size_t i = 0; i < buffers_.size(); ++i)
            if (auto r = dequeue(nullptr, format); !r)
                return std::unexpected(r.error());
        hal::CapturedFrame out;
        if (auto r = dequeue(&out.image, format); !r)
            return std::unexpected(r.error());
        return out;
    }

private:
    struct Buffer {
        void* start;
        std::size_t length;
    };

    void setExposure(std::uint32_t exposureUs)
    {
        // Controls a sensor lacks are not an error: it then runs on its own exposure.
        v4l2_control manual{V4L2_CID_EXPOSURE_AUTO, V4L2_EXPOSURE_MANUAL};
        xioctl(fd_, VIDIOC_S_CTRL, &manual);
        v4l2_control exposure{V4L2_CID_EXPOSURE_ABSOLUTE,
                              static_cast<std::int32_t>(exposureUs / 100)}; // [100 us]
        xioctl(fd_, VIDIOC_S_CTRL, &exposure);
    }

    Result<void> dequeue(vision::Image* out, vision::PixelFormat format)
    {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, kFrameTimeoutMs);
        if (ready == 0)
            return fail(Errc::CameraFault,
                        device_.string() + ": no frame within " + std::to_string(kFrameTimeoutMs) + " ms");
        if (ready < 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": poll"));
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        if (xioctl(fd_, VIDIOC_DQBUF, &buf) < 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_DQBUF"));
        Result<void> result;
        if (out != nullptr && buf.index < buffers_.size())
            result = convert(buffers_[buf.index], buf.bytesused, *out, format);
        if (xioctl(fd_, VIDIOC_QBUF, &buf) < 0)
            return fail(Errc::CameraFault, errnoText(device_.string() + ": VIDIOC_QBUF"));
        return result;
    }

    Result<void> convert(const Buffer& b, std::size_t used, vision::Image& out,
                         vision::PixelFormat format) const
    {
        const int srcType = pixelFormat_ == V4L2_PIX_FMT_YUYV   ? CV_8UC2
                            : pixelFormat_ == V4L2_PIX_FMT_GREY ? CV_8UC1
                                                                : CV_8UC3;
        if (used < static_cast<std::size_t>(bytesPerLine_) * static_cast<std::size_t>(height_))
            return fail(Errc::CameraFault,
                        device_.string() + ": short frame (" + std::to_string(used) + " bytes)");
        try {
            const cv::Mat src(height_, width_, srcType, b.start, bytesPerLine_);
            cv::Mat bgr;
            if (pixelFormat_ == V4L2_PIX_FMT_YUYV)
                cv::cvtColor(src, bgr, cv::COLOR_YUV2BGR_YUYV);
            else if (pixelFormat_ == V4L2_PIX_FMT_GREY)
                cv::cvtColor(src, bgr, cv::COLOR_GRAY2BGR);
            else if (pixelFormat_ == V4L2_PIX_FMT_RGB24)
                cv::cvtColor(src, bgr, cv::COLOR_RGB2BGR);
            else
                bgr = src.clone();
            cv::Mat final = bgr;
            if (format == vision::PixelFormat::Gray8)
                cv::cvtColor(bgr, final, cv::COLOR_BGR2GRAY);
            out.width = final.cols;
            out.height = final.rows;
            out.format = format;
            out.pixels.assign(final.data, final.data + final.total() * final.elemSize());
        } catch (const std::exception& e) {
            return fail(Errc::CameraFault, std::string("frame conversion failed: ") + e.what());
        }
        return {};
    }

    void stop()
    {
        if (streaming_) {
            v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            xioctl(fd_, VIDIOC_STREAMOFF, &type);
            streaming_ = false;
        }
        for (const auto& b : buffers_)
            ::munmap(b.start, b.length);
        buffers_.clear();
    }

    int fd_;
    std::filesystem::path device_;
    std::vector<Buffer> buffers_;
    std::uint32_t pixelFormat_ = 0;
    int width_ = 0, height_ = 0;
    std::uint32_t bytesPerLine_ = 0;
    bool streaming_ = false;
};

} // namespace

Result<std::unique_ptr<hal::Camera>> openV4l2Camera(const std::filesystem::path& device)
{
    const int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return fail(Errc::CameraFault, errnoText("cannot open camera " + device.string()));
    v4l2_capability cap{};
    if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0 || !(cap.capabilities & V4L2_CAP_VIDEO_CAPTURE) ||
        !(cap.capabilities & V4L2_CAP_STREAMING)) {
        ::close(fd);
        return fail(Errc::CameraFault, device.string() + " is not a V4L2 streaming capture device");
    }
    return std::unique_ptr<hal::Camera>(std::make_unique<V4l2Camera>(fd, device));
}

} // namespace gw::boards::rpi_cm4
